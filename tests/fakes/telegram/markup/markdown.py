"""MarkdownV2 and legacy Markdown parse modes: TDLib's ``parse_markdown_v2`` and
``parse_markdown``."""

from __future__ import annotations

from dataclasses import dataclass

from .entities import BLOCKQUOTES, PRE_KINDS, Entity
from .links import link_custom_emoji_id, link_entity
from .scanning import MarkupError, at, byte_offset, is_space, units, where

# TDLib's names, used in "Can't find end of <Name> entity" errors.
_TDLIB_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
    "expandable_blockquote": "ExpandableBlockQuote",
}
_MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!\n"


def _escapable(ch: str) -> bool:
    return "\x01" <= ch <= "\x7e"


# ----- MarkdownV2 ------------------------------------------------------------------------


@dataclass
class _OpenMark:
    type: str
    argument: str
    offset: int  # UTF-16 offset in the result
    position: int  # index of the opening mark in the source
    start: int  # index in the result


def _reserved(ch: str) -> MarkupError:
    return MarkupError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def _unclosed(text: str, mark: _OpenMark) -> MarkupError:
    name = "PreCode" if mark.type == "pre" and mark.argument else _TDLIB_NAMES[mark.type]
    return MarkupError(f"Can't find end of {name} entity {where(text, mark.position)}")


def _ends_mark(kind: str, text: str, i: int) -> bool:
    ch, after = text[i], at(text, i + 1)
    return {
        "bold": ch == "*",
        "italic": ch == "_" and after != "_",
        "code": ch == "`",
        "pre": ch == "`" and after == "`" and at(text, i + 2) == "`",
        "text_link": ch == "]",
        "underline": ch == "_" and after == "_",
        "strikethrough": ch == "~",
        "spoiler": ch == "|" and after == "|",
        "custom_emoji": ch == "]",
    }.get(kind, False)


def _pre_start(text: str, i: int) -> tuple[int, str]:
    """After an opening ```: the optional language and one skipped line break.
    Returns (index of the first content character, language)."""
    language = ""
    language_end = i
    while not is_space(at(text, language_end)) and at(text, language_end) != "`":
        language_end += 1
    if i != language_end and language_end < len(text) and text[language_end] != "`":
        language = text[i:language_end]
        i = language_end
    if at(text, i) in ("\n", "\r"):
        if at(text, i + 1) in ("\n", "\r") and at(text, i) != at(text, i + 1):
            i += 2
        else:
            i += 1
    return i, language


def _markdown_v2_url(text: str, i: int, missing: str) -> tuple[int, str]:
    """A ``(url)`` starting at text[i] == "("; returns (index of ")", url)."""
    i += 1
    begin = i
    chars: list[str] = []
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and _escapable(at(text, i + 1)):
            chars.append(text[i + 1])
            i += 2
            continue
        chars.append(text[i])
        i += 1
    if at(text, i) != ")":
        raise MarkupError(f"{missing} at byte offset {byte_offset(text, begin)}")
    return i, "".join(chars)


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    entities: list[Entity] = []
    opened: list[_OpenMark] = []
    utf16 = 0
    have_blockquote = False
    can_start_blockquote = True
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and _escapable(at(text, i + 1)):
            i += 1
            utf16 += 1
            out.append(text[i])
            if text[i] != "\r":
                can_start_blockquote = text[i] == "\n"
            i += 1
            continue

        reserved = _MARKDOWN_V2_RESERVED
        if opened and opened[-1].type in PRE_KINDS:
            reserved = "`"
        if ch not in reserved:
            utf16 += units(ch)
            if ch != "\r":
                can_start_blockquote = False
            out.append(ch)
            i += 1
            continue

        is_end = bool(opened) and (
            (have_blockquote and ch == "\n" and at(text, i + 1) != ">")
            or _ends_mark(opened[-1].type, text, i)
        )
        if not is_end:
            position = i
            argument = ""
            kind: str | None
            if ch == "_":
                kind = "italic"
                if at(text, i + 1) == "_":
                    kind = "underline"
                    i += 1
            elif ch == "*":
                kind = "bold"
            elif ch == "~":
                kind = "strikethrough"
            elif ch == "|":
                if at(text, i + 1) != "|":
                    raise _reserved(ch)
                kind = "spoiler"
                i += 1
            elif ch == "[":
                kind = "text_link"
            elif ch == "`":
                kind = "code"
                if at(text, i + 1) == "`" and at(text, i + 2) == "`":
                    kind = "pre"
                    i, argument = _pre_start(text, i + 3)
                    i -= 1
            elif ch == "!":
                if at(text, i + 1) != "[":
                    raise _reserved(ch)
                kind = "custom_emoji"
                i += 1
            elif ch == "\n":
                utf16 += 1
                out.append("\n")
                can_start_blockquote = True
                kind = None
            elif ch == ">" and can_start_blockquote:
                kind = None if have_blockquote else "blockquote"
                have_blockquote = True
            else:
                raise _reserved(ch)
            if kind is not None:
                opened.append(_OpenMark(kind, argument, utf16, position, len(out)))
            i += 1
            continue

        # the end of an entity
        kind = opened[-1].type
        if ch == "\n" and kind != "blockquote":
            # only "||" right before the line break may end an expandable blockquote
            spoiler = opened[-1]
            just_before = spoiler.position == i - 2 or (
                spoiler.position == i - 3 and bool(out) and out[-1] == "\r"
            )
            if kind != "spoiler" or not just_before:
                raise _unclosed(text, spoiler)
            opened.pop()
            if opened[-1].type != "blockquote":
                raise _unclosed(text, opened[-1])
            kind = "expandable_blockquote"
        top = opened[-1]
        argument = top.argument
        skip = utf16 == top.offset
        link: Entity | None = None
        if kind in {"underline", "spoiler"}:
            i += 1
        elif kind == "pre":
            i += 2
        elif kind == "text_link":
            if at(text, i + 1) != "(":
                url = "".join(out[top.start :])
            else:
                i, url = _markdown_v2_url(text, i + 1, "Can't find end of a URL")
            link = link_entity(top.offset, utf16 - top.offset, url)
            skip = skip or link is None
        elif kind == "custom_emoji":
            if at(text, i + 1) != "(":
                raise MarkupError("Custom emoji entity must contain a tg://emoji URL")
            i, url = _markdown_v2_url(text, i + 1, "Can't find end of a custom emoji URL")
            argument = link_custom_emoji_id(url)
        elif kind in BLOCKQUOTES:
            have_blockquote = False
            out.append(ch)
            can_start_blockquote = True
            utf16 += 1
            skip = False
        if not skip:
            entities.append(link or Entity(kind, top.offset, utf16 - top.offset, argument))
        opened.pop()
        i += 1

    if have_blockquote:
        kind = "blockquote"
        if opened[-1].type == "spoiler" and opened[-1].position == len(text) - 2:
            opened.pop()
            kind = "expandable_blockquote"
        if opened[-1].type == "blockquote":
            top = opened.pop()
            if utf16 != top.offset:
                entities.append(Entity(kind, top.offset, utf16 - top.offset))
    if opened:
        raise _unclosed(text, opened[-1])
    entities.sort(key=Entity.sort_key)
    return "".join(out), entities


# ----- legacy Markdown -------------------------------------------------------------------


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """*bold* _italic_ `code` ```pre``` [text](url); no nesting; \\ escapes _ * ` [."""
    out: list[str] = []
    entities: list[Entity] = []
    utf16 = 0
    size = len(text)
    i = 0
    while i < size:
        ch = text[i]
        if ch == "\\" and at(text, i + 1) in ("_", "*", "`", "["):
            out.append(text[i + 1])
            utf16 += 1
            i += 2
            continue
        if ch not in "_*`[":
            out.append(ch)
            utf16 += units(ch)
            i += 1
            continue

        begin = i
        end_character = "]" if ch == "[" else ch
        is_pre = ch == "`" and at(text, i + 1) == "`" and at(text, i + 2) == "`"
        language = ""
        i += 1
        if is_pre:
            i, language = _pre_start(text, i + 2)
        offset = utf16
        start = len(out)
        while i < size and (
            text[i] != end_character
            or (is_pre and not (at(text, i + 1) == "`" and at(text, i + 2) == "`"))
        ):
            out.append(text[i])
            utf16 += units(text[i])
            i += 1
        if i == size:
            raise MarkupError(f"Can't find end of the entity starting {where(text, begin)}")

        if utf16 != offset:
            length = utf16 - offset
            if ch == "_":
                entities.append(Entity("italic", offset, length))
            elif ch == "*":
                entities.append(Entity("bold", offset, length))
            elif ch == "[":
                url = "".join(out[start:])
                if at(text, i + 1) == "(":
                    i += 2
                    url_begin = i
                    while i < size and text[i] != ")":
                        i += 1
                    url = text[url_begin:i]
                link = link_entity(offset, length, url)
                if link is not None:
                    entities.append(link)
            elif is_pre:
                entities.append(Entity("pre", offset, length, language))
            else:
                entities.append(Entity("code", offset, length))
        if is_pre:
            i += 2
        i += 1
    entities.sort(key=Entity.sort_key)
    return "".join(out), entities
