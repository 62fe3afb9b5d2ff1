"""HTML parse mode: TDLib's ``parse_html``."""

from __future__ import annotations

from dataclasses import dataclass

from .entities import Entity
from .links import link_entity
from .scanning import (
    MarkupError,
    at,
    byte_offset,
    int64,
    is_alnum,
    is_alpha,
    is_digit,
    is_space,
    lower,
    units,
    where,
)

_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins"}
    | {"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote"}
)
_HTML_TAG_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only <span class="tg-spoiler"> gets this far
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _join_surrogates(text: str) -> str:
    """HTML numeric references may spell a surrogate pair; unmatched halves are an error."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise MarkupError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` ``&#N;`` ``&#xH;`` (the ";" is optional)."""
    end = pos + 1
    if at(text, pos + 1) == "#":
        code = 0
        end += 1
        if at(text, pos + 2) == "x":
            end += 1
            while at(text, end) in "0123456789abcdefABCDEF":
                code = code * 16 + int(text[end], 16)
                end += 1
        else:
            while is_digit(at(text, end)):
                code = code * 10 + int(text[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while is_alpha(at(text, end)):
            end += 1
        named = _HTML_NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if at(text, end) == ";" else end


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the result
    start: int  # index in the result


def parse_html(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    entities: list[Entity] = []
    opened: list[_OpenTag] = []
    utf16 = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&" and (decoded := _decode_html_entity(text, i)) is not None:
            char, i = decoded
            out.append(char)
            utf16 += units(char)
            continue
        if ch != "<":
            out.append(ch)
            utf16 += units(ch)
            i += 1
            continue

        begin = i
        i += 1
        if at(text, i) != "/":
            i, tag = _html_start_tag(text, begin, i)
            opened.append(_OpenTag(tag[0], tag[1], utf16, len(out)))
            continue

        if not opened:
            raise MarkupError(f"Unexpected end tag {where(text, begin)}")
        while not is_space(at(text, i)) and at(text, i) != ">":
            i += 1
        end_tag = lower(text[begin + 2 : i])
        while is_space(at(text, i)) and at(text, i) != "\0":
            i += 1
        if at(text, i) != ">":
            raise MarkupError(f"Unclosed end tag {where(text, begin)}")
        i += 1
        top = opened.pop()
        if end_tag and end_tag != top.name:
            expected = f'expected "</{top.name}>", found "</{end_tag}>"'
            raise MarkupError(f"Unmatched end tag {where(text, begin)}, {expected}")
        if utf16 > top.offset:
            _close_html_tag(top, utf16 - top.offset, "".join(out[top.start :]), entities)
    if opened:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{opened[-1].name}"')
    for entity in entities:
        if entity.type == "code":
            entity.argument = ""
    entities.sort(key=Entity.sort_key)
    return _join_surrogates("".join(out)), entities


def _html_start_tag(text: str, begin: int, i: int) -> tuple[int, tuple[str, str]]:
    """Parse ``<name attr="value" ...>`` from just after "<"; returns (index after ">",
    (tag name, argument))."""
    while not is_space(at(text, i)) and at(text, i) != ">":
        i += 1
    if at(text, i) == "\0":
        raise MarkupError(f"Unclosed start tag {where(text, begin)}")
    name = lower(text[begin + 1 : i])
    if name not in _HTML_TAGS:
        raise MarkupError(f'Unsupported start tag "{name}" {where(text, begin)}')

    argument = ""
    while at(text, i) != ">":
        while at(text, i) != "\0" and is_space(at(text, i)):
            i += 1
        if at(text, i) == ">":
            break
        attribute_begin = i
        while not is_space(at(text, i)) and at(text, i) not in "=>/\"'":
            i += 1
        attribute = text[attribute_begin:i]
        if not attribute:
            raise MarkupError(f'Empty attribute name in the tag "{name}" {where(text, begin)}')
        while at(text, i) != "\0" and is_space(at(text, i)):
            i += 1
        if at(text, i) != "=":
            if at(text, i) == "\0":
                raise MarkupError(f'Unclosed start tag "{name}" {where(text, begin)}')
            if name == "blockquote" and attribute == "expandable":
                argument = "1"
            continue
        i += 1
        while at(text, i) != "\0" and is_space(at(text, i)):
            i += 1
        if at(text, i) == "\0":
            raise MarkupError(f'Unclosed start tag "{name}" {where(text, begin)}')

        if at(text, i) not in "'\"":
            # A name token: letters, digits, periods and hyphens; not case sensitive.
            token_begin = i
            while is_alnum(at(text, i)) or at(text, i) in ".-":
                i += 1
            value = lower(text[token_begin:i])
            if not is_space(at(text, i)) and at(text, i) != ">":
                raise MarkupError(
                    f"Unexpected end of name token at byte offset {byte_offset(text, token_begin)}"
                )
        else:
            quote = text[i]
            i += 1
            chars: list[str] = []
            while at(text, i) != quote and at(text, i) != "\0":
                if text[i] == "&" and (decoded := _decode_html_entity(text, i)) is not None:
                    char, i = decoded
                    chars.append(char)
                    continue
                chars.append(text[i])
                i += 1
            if at(text, i) == quote:
                i += 1
            value = "".join(chars)
        if at(text, i) == "\0":
            raise MarkupError(f"Unclosed start tag {where(text, begin)}")

        if name == "a" and attribute == "href":
            argument = value
        elif name == "code" and attribute == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif name == "span" and attribute == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif name == "tg-emoji" and attribute == "emoji-id":
            argument = value
        elif name == "blockquote" and attribute == "expandable":
            argument = "1"

    if name == "span" and argument != "spoiler":
        raise MarkupError(f'Tag "span" must have class "tg-spoiler" {where(text, begin)}')
    return i + 1, (name, argument)


def _close_html_tag(top: _OpenTag, length: int, inner: str, entities: list[Entity]) -> None:
    offset = top.offset
    last = entities[-1] if entities else None
    same_span = last is not None and last.offset == offset and last.length == length
    if top.name in _HTML_TAG_KINDS:
        entities.append(Entity(_HTML_TAG_KINDS[top.name], offset, length))
    elif top.name == "tg-emoji":
        emoji_id = int64(top.argument)
        if not emoji_id:
            raise MarkupError("Invalid custom emoji identifier specified")
        entities.append(Entity("custom_emoji", offset, length, str(emoji_id)))
    elif top.name == "a":
        entity = link_entity(offset, length, top.argument or inner)
        if entity is not None:
            entities.append(entity)
    elif top.name == "pre":
        if same_span and last is not None and last.type == "code" and last.argument:
            last.type = "pre"  # <pre><code class="language-x">: keeps the language
        else:
            entities.append(Entity("pre", offset, length))
    elif top.name == "code":
        if same_span and last is not None and last.type == "pre" and top.argument:
            last.argument = top.argument  # <code class="language-x"><pre>
        else:
            entities.append(Entity("code", offset, length, top.argument))
    else:  # blockquote
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append(Entity(kind, offset, length))
