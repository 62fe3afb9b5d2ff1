"""Telegram's parse modes: HTML, MarkdownV2 and legacy Markdown → plain text + entities.

A port of what the Bot API server runs for ``parse_mode``: TDLib's ``parse_html``,
``parse_markdown_v2``, ``parse_markdown`` and ``fix_entities``
(td/telegram/MessageEntity.cpp), plus ``get_formatted_text`` of telegram-bot-api,
so texts, entity offsets/lengths/order and error descriptions match the real server.
Offsets and lengths count UTF-16 code units, as the Bot API does.

Not modelled: trimming of leading/trailing whitespace, replacing control characters,
and the entities the server detects by itself (url, mention, hashtag, bot_command...).
"""

from .formatted_text import formatted, is_blank, utf16_length

__all__ = ["formatted", "is_blank", "utf16_length"]
