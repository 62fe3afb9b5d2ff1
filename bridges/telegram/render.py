"""Cards and notices as Telegram HTML with inline keyboards."""

from __future__ import annotations

import re
from datetime import tzinfo
from html import escape, unescape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from aiogram.utils.text_decorations import html_decoration

from bot.base.cards import Card
from bot.base.i18n import Text, Translator
from bot.base.ports import Outgoing

# Telegram's longest message text.
MAX_TEXT = 4096
TAG = re.compile(r"<[^>]*>")


def card_html(card: Card, translator: Translator, lang: str) -> str:
    lines = [f"<b>{translator.render(lang, card.title, escape)}</b>"]
    for label, value in card.fields:
        shown = translator.render(lang, value, escape) if isinstance(value, Text) else escape(value)
        lines.append(f"<b>{translator.render(lang, label, escape)}:</b> {shown}")
    return "\n".join(lines)


def card_keyboard(card: Card, translator: Translator, lang: str) -> InlineKeyboardMarkup | None:
    if not card.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(text=translator.render(lang, b.label), callback_data=b.data)
            for b in row
        ]
        for row in card.rows()
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def notice_html(text: Text, translator: Translator, lang: str) -> str:
    return f"<i>{translator.render(lang, text, escape)}</i>"


def part_html(message: Outgoing, zone: tzinfo) -> str:
    """One text of a merged message: its time, then its words with their formatting."""
    body = text_html(message.text or "", message.content.get("entities"))
    if message.sent_at is None:
        return body
    return f"<i>{message.sent_at.astimezone(zone):%H:%M}</i>  {body}"


def text_html(text: str, raw: list | None) -> str:
    """The text with its entities as HTML; entities that do not fit the text (outside it, or
    splitting a character in UTF-16, as only a forged update has them) leave it plain."""
    size = len(text.encode("utf-16-le")) // 2
    entities = [MessageEntity.model_validate(e) for e in raw or []]
    if any(e.offset < 0 or e.length < 0 or e.offset + e.length > size for e in entities):
        return escape(text, quote=False)
    try:
        return html_decoration.unparse(text, entities or None)
    except (UnicodeDecodeError, ValueError):
        return escape(text, quote=False)


def shown_length(html: str) -> int:
    """How long `html` is as Telegram counts it: the text its tags and entities stand for."""
    return len(unescape(TAG.sub("", html)))


def together_html(card: str | None, parts: list[str]) -> str:
    """A card and texts, or texts alone, as one message."""
    return "\n\n".join(([card] if card else []) + parts)
