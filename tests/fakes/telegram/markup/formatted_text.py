"""The Bot API side of parse modes: a text parameter with its ``parse_mode`` and explicit
entities in, the message's text and entities out (telegram-bot-api's
``get_formatted_text``)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import bad_request
from .entities import Entity, fix_entities
from .html import parse_html
from .markdown import parse_markdown, parse_markdown_v2
from .scanning import MarkupError

Json = dict[str, Any]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def is_blank(text: str) -> bool:
    """Nothing but whitespace and control characters: Telegram refuses such a text."""
    return all(ch <= " " or "\u2028" <= ch <= "\u202e" for ch in text)


def formatted(
    text: str, parse_mode: str | None, entities: Any, users: Mapping[int, Json]
) -> tuple[str, list[Json] | None]:
    """(text, entities) as Telegram stores them, from a text/caption parameter with its
    ``parse_mode`` and explicit ``entities``/``caption_entities``.

    As in telegram-bot-api's ``get_formatted_text``, a set ``parse_mode`` wins: explicit
    entities are then ignored. A ``tg://user?id=N`` link becomes a ``text_mention`` if
    the fake knows user N (otherwise it stays a ``text_link``)."""
    mode = (parse_mode or "").lower()
    if not text or mode in {"", "none"}:
        return text, entities if isinstance(entities, list) and entities else None
    try:
        plain, parsed = parse(text, mode)
    except MarkupError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    except ValueError:
        raise bad_request("unsupported parse_mode") from None
    return plain, [entity_json(entity, users) for entity in parsed] or None


def entity_json(entity: Entity, users: Mapping[int, Json]) -> Json:
    result: Json = {"offset": entity.offset, "length": entity.length, "type": entity.type}
    if entity.type == "text_mention":
        user = users.get(int(entity.argument))
        if user is None:
            result["type"] = "text_link"
            result["url"] = f"tg://user?id={entity.argument}"
        else:
            result["user"] = copy.deepcopy(user)
    elif entity.type == "text_link":
        result["url"] = entity.argument
    elif entity.type == "pre" and entity.argument:
        result["language"] = entity.argument
    elif entity.type == "custom_emoji":
        result["custom_emoji_id"] = entity.argument
    return result


def parse(text: str, parse_mode: str) -> tuple[str, list[Entity]]:
    """Plain text and fixed, sorted entities; MarkupError for bad markup, ValueError for
    an unknown parse mode ("HTML", "MarkdownV2", "Markdown"; any case)."""
    parsers: dict[str, Callable[[str], tuple[str, list[Entity]]]] = {
        "html": parse_html,
        "markdownv2": parse_markdown_v2,
        "markdown": parse_markdown,
    }
    parser = parsers.get(parse_mode.lower())
    if parser is None:
        raise ValueError(f"unsupported parse mode {parse_mode!r}")
    plain, entities = parser(text)
    return plain, fix_entities([entity for entity in entities if entity.length > 0])
