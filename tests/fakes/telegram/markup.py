"""Telegram's parse modes: HTML, MarkdownV2 and legacy Markdown → plain text + entities.

A port of what the Bot API server runs for ``parse_mode``: TDLib's ``parse_html``,
``parse_markdown_v2``, ``parse_markdown`` and ``fix_entities``
(td/telegram/MessageEntity.cpp), plus ``get_formatted_text`` of telegram-bot-api,
so texts, entity offsets/lengths/order and error descriptions match the real server.
Offsets and lengths count UTF-16 code units, as the Bot API does.

Not modelled: trimming of leading/trailing whitespace, replacing control characters,
and the entities the server detects by itself (url, mention, hashtag, bot_command...).
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

Json = dict[str, Any]

SPLITTABLE = ("bold", "italic", "underline", "strikethrough", "spoiler")
BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})
PRE_KINDS = frozenset({"pre", "code"})
CONTINUOUS = frozenset({"text_link", "text_mention", "custom_emoji"})
# TDLib's MessageEntity::get_type_priority: among entities covering the same span, a
# lower priority comes first (encloses the others). "pre" with a language is 10.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
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
_SPACES = frozenset(" \t\r\n\v\f\0")  # td::is_space; "\0" stands for the end of the text
_MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!\n"
_INTEGER = re.compile(r"-?[0-9]+")
_INT64_MAX = 2**63 - 1
_MAX_USER_ID = (1 << 40) - 1
_URL_HOST_SYMBOLS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_!$,~*'();&+=")


class MarkupError(Exception):
    """A parse error; the text is TDLib's, e.g. 'Unsupported start tag "x" at byte offset 0'."""


@dataclass
class Entity:
    type: str  # the Bot API's MessageEntity type
    offset: int
    length: int
    argument: str = ""  # url (text_link), language (pre), user id, custom emoji id

    @property
    def end(self) -> int:
        return self.offset + self.length

    def sort_key(self) -> tuple[int, int, int]:
        priority = 10 if self.type == "pre" and self.argument else _PRIORITY[self.type]
        return (self.offset, -self.length, priority)


# ----- the Bot API side: parameters in, message fields out ------------------------------


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


# ----- shared helpers ----------------------------------------------------------------------


def _at(text: str, index: int) -> str:
    """text[index], or "\\0" past the end (TDLib reads NUL-terminated strings)."""
    return text[index] if index < len(text) else "\0"


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _where(text: str, index: int) -> str:
    return f"at byte offset {_byte_offset(text, index)}"


def _is_space(ch: str) -> bool:
    return ch in _SPACES


def _is_alpha(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_alnum(ch: str) -> bool:
    return _is_alpha(ch) or _is_digit(ch)


def _lower(text: str) -> str:
    """td::to_lower: ASCII letters only."""
    return "".join(ch.lower() if "A" <= ch <= "Z" else ch for ch in text)


def _int64(value: str) -> int | None:
    if not _INTEGER.fullmatch(value):
        return None
    number = int(value)
    return number if -_INT64_MAX - 1 <= number <= _INT64_MAX else None


def _escapable(ch: str) -> bool:
    return "\x01" <= ch <= "\x7e"


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


# ----- links ---------------------------------------------------------------------------


@dataclass
class _Url:
    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    specified_port: int
    query: str

    def full(self) -> str:
        result = "https://" if self.https else "http://"
        if self.userinfo:
            result += self.userinfo + "@"
        result += self.host
        if self.specified_port > 0:
            result += f":{self.specified_port}"
        return result + self.query


def _find_any(text: str, symbols: str) -> int:
    return next((index for index, ch in enumerate(text) if ch in symbols), len(text))


def _parse_url(url: str) -> _Url | None:
    """td::parse_url: ``[https?://][userinfo@]host[:port][/query]``."""
    scheme_end = _find_any(url, ":/?#@[]")
    scheme = _lower(url[:scheme_end])
    https = False
    rest = url
    if url.startswith("://", scheme_end):
        if scheme not in {"http", "https"}:
            return None
        https = scheme == "https"
        rest = url[scheme_end + 3 :]
    authority_end = _find_any(rest, "/?#")
    authority, query = rest[:authority_end], rest[authority_end:]

    port = 0
    colon = len(authority) - 1
    while colon > 0 and authority[colon] not in ":]@":
        colon -= 1
    userinfo_host = authority
    if colon > 0 and authority[colon] == ":":
        digits = authority[colon + 1 :]
        while len(digits) > 1 and digits[0] == "0":
            digits = digits[1:]
        number = _int64(digits)
        port = -1 if number is None or number == 0 else number
        userinfo_host = authority[:colon]
    if not 0 <= port <= 65535:
        return None
    at = userinfo_host.rfind("@")
    userinfo, host = "", userinfo_host
    if at >= 0:
        userinfo, host = userinfo_host[:at], userinfo_host[at + 1 :]

    is_ipv6 = len(host) >= 2 and host[0] == "[" and host[-1] == "]"
    if is_ipv6:
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
    if not host or host == ".":
        return None

    query = query.rstrip("".join(_SPACES))
    query = query or "/"
    query = ("" if query[0] == "/" else "/") + "".join(
        f"%{ord(ch):02X}" if ord(ch) <= 0x20 else ch for ch in query
    )
    host = _lower(host)
    if not is_ipv6:
        index = 0
        while index < len(host):
            ch = host[index]
            if ch == "%":
                pair = host[index + 1 : index + 3]
                if len(pair) != 2 or any(c not in "0123456789abcdef" for c in pair):
                    return None
                index += 3
                continue
            if ch not in _URL_HOST_SYMBOLS and ord(ch) < 128:
                return None
            index += 1
    return _Url(https, userinfo, host, is_ipv6, port, query)


def checked_link(link: str) -> str:
    """LinkManager::get_checked_link: the normalized URL, or "" when Telegram drops it
    (``example.com`` → ``http://example.com/``; tg://, ton:// and tonsite:// kept)."""
    scheme = ""
    for prefix in ("tg:", "ton:", "tonsite:"):
        if _lower(link[: len(prefix)]) == prefix:
            scheme = prefix[:-1]
            link = link[len(prefix) :]
            break
    if scheme and link.startswith("//"):
        link = link[2:]
    url = _parse_url(link)
    if url is None:
        return ""
    if scheme:
        if (
            _lower(link[:7]) == "http://"
            or url.https
            or url.userinfo
            or url.specified_port
            or url.is_ipv6
        ):
            return ""
        query = url.query[1:] if len(url.query) > 1 and url.query[1] == "?" else url.query
        if any(
            not (_is_alnum(ch) or ch in "-_" or (scheme == "tonsite" and ch == "."))
            for ch in url.host
        ):
            return ""
        return f"{scheme}://{url.host}{query}"
    if "." not in url.host and not url.is_ipv6:
        return ""
    return url.full()


def _tg_query(url: str, host: str) -> str | None:
    """The query of ``tg:[//]<host>[/]?<query>`` (lower-cased), or None."""
    url = _lower(url)
    if not url.startswith("tg:"):
        return None
    url = url[3:]
    url = url.removeprefix("//")
    if not url.startswith(host):
        return None
    url = url[len(host) :].removeprefix("/")
    if not url.startswith("?"):
        return None
    return url[1:].split("#", 1)[0]


def _query_id(query: str) -> str | None:
    for parameter in query.split("&"):
        key, _, value = parameter.partition("=")
        if key == "id":
            return value
    return None


def link_user_id(url: str) -> int | None:
    """LinkManager::get_link_user_id: N for ``tg://user?id=N``."""
    query = _tg_query(url, "user")
    value = _query_id(query) if query is not None else None
    user_id = _int64(value) if value is not None else None
    return user_id if user_id is not None and 0 < user_id <= _MAX_USER_ID else None


def link_custom_emoji_id(url: str) -> str:
    """LinkManager::get_link_custom_emoji_id for ``tg://emoji?id=N``."""
    url = _lower(url)
    if not url.startswith("tg:"):
        raise MarkupError("Custom emoji URL must have scheme tg")
    url = url[3:].removeprefix("//")
    if not url.startswith("emoji"):
        raise MarkupError('Custom emoji URL must have host "emoji"')
    url = url[len("emoji") :].removeprefix("/")
    value = _query_id(url[1:].split("#", 1)[0]) if url.startswith("?") else None
    if value is None:
        raise MarkupError("Custom emoji URL must have an emoji identifier")
    emoji_id = _int64(value)
    if not emoji_id:
        raise MarkupError("Invalid custom emoji identifier specified")
    return str(emoji_id)


def _link_entity(offset: int, length: int, url: str) -> Entity | None:
    """An <a href> / [text](url): text_mention for tg://user links, else a checked link."""
    user_id = link_user_id(url)
    if user_id is not None:
        return Entity("text_mention", offset, length, str(user_id))
    checked = checked_link(url)
    return Entity("text_link", offset, length, checked) if checked else None


# ----- HTML ----------------------------------------------------------------------------


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` ``&#N;`` ``&#xH;`` (the ";" is optional)."""
    end = pos + 1
    if _at(text, pos + 1) == "#":
        code = 0
        end += 1
        if _at(text, pos + 2) == "x":
            end += 1
            while _at(text, end) in "0123456789abcdefABCDEF":
                code = code * 16 + int(text[end], 16)
                end += 1
        else:
            while _is_digit(_at(text, end)):
                code = code * 10 + int(text[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while _is_alpha(_at(text, end)):
            end += 1
        named = _HTML_NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if _at(text, end) == ";" else end


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
            utf16 += _units(char)
            continue
        if ch != "<":
            out.append(ch)
            utf16 += _units(ch)
            i += 1
            continue

        begin = i
        i += 1
        if _at(text, i) != "/":
            i, tag = _html_start_tag(text, begin, i)
            opened.append(_OpenTag(tag[0], tag[1], utf16, len(out)))
            continue

        if not opened:
            raise MarkupError(f"Unexpected end tag {_where(text, begin)}")
        while not _is_space(_at(text, i)) and _at(text, i) != ">":
            i += 1
        end_tag = _lower(text[begin + 2 : i])
        while _is_space(_at(text, i)) and _at(text, i) != "\0":
            i += 1
        if _at(text, i) != ">":
            raise MarkupError(f"Unclosed end tag {_where(text, begin)}")
        i += 1
        top = opened.pop()
        if end_tag and end_tag != top.name:
            expected = f'expected "</{top.name}>", found "</{end_tag}>"'
            raise MarkupError(f"Unmatched end tag {_where(text, begin)}, {expected}")
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
    while not _is_space(_at(text, i)) and _at(text, i) != ">":
        i += 1
    if _at(text, i) == "\0":
        raise MarkupError(f"Unclosed start tag {_where(text, begin)}")
    name = _lower(text[begin + 1 : i])
    if name not in _HTML_TAGS:
        raise MarkupError(f'Unsupported start tag "{name}" {_where(text, begin)}')

    argument = ""
    while _at(text, i) != ">":
        while _at(text, i) != "\0" and _is_space(_at(text, i)):
            i += 1
        if _at(text, i) == ">":
            break
        attribute_begin = i
        while not _is_space(_at(text, i)) and _at(text, i) not in "=>/\"'":
            i += 1
        attribute = text[attribute_begin:i]
        if not attribute:
            raise MarkupError(f'Empty attribute name in the tag "{name}" {_where(text, begin)}')
        while _at(text, i) != "\0" and _is_space(_at(text, i)):
            i += 1
        if _at(text, i) != "=":
            if _at(text, i) == "\0":
                raise MarkupError(f'Unclosed start tag "{name}" {_where(text, begin)}')
            if name == "blockquote" and attribute == "expandable":
                argument = "1"
            continue
        i += 1
        while _at(text, i) != "\0" and _is_space(_at(text, i)):
            i += 1
        if _at(text, i) == "\0":
            raise MarkupError(f'Unclosed start tag "{name}" {_where(text, begin)}')

        if _at(text, i) not in "'\"":
            # A name token: letters, digits, periods and hyphens; not case sensitive.
            token_begin = i
            while _is_alnum(_at(text, i)) or _at(text, i) in ".-":
                i += 1
            value = _lower(text[token_begin:i])
            if not _is_space(_at(text, i)) and _at(text, i) != ">":
                raise MarkupError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                )
        else:
            quote = text[i]
            i += 1
            chars: list[str] = []
            while _at(text, i) != quote and _at(text, i) != "\0":
                if text[i] == "&" and (decoded := _decode_html_entity(text, i)) is not None:
                    char, i = decoded
                    chars.append(char)
                    continue
                chars.append(text[i])
                i += 1
            if _at(text, i) == quote:
                i += 1
            value = "".join(chars)
        if _at(text, i) == "\0":
            raise MarkupError(f"Unclosed start tag {_where(text, begin)}")

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
        raise MarkupError(f'Tag "span" must have class "tg-spoiler" {_where(text, begin)}')
    return i + 1, (name, argument)


def _close_html_tag(top: _OpenTag, length: int, inner: str, entities: list[Entity]) -> None:
    offset = top.offset
    last = entities[-1] if entities else None
    same_span = last is not None and last.offset == offset and last.length == length
    if top.name in _HTML_TAG_KINDS:
        entities.append(Entity(_HTML_TAG_KINDS[top.name], offset, length))
    elif top.name == "tg-emoji":
        emoji_id = _int64(top.argument)
        if not emoji_id:
            raise MarkupError("Invalid custom emoji identifier specified")
        entities.append(Entity("custom_emoji", offset, length, str(emoji_id)))
    elif top.name == "a":
        entity = _link_entity(offset, length, top.argument or inner)
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
    return MarkupError(f"Can't find end of {name} entity {_where(text, mark.position)}")


def _ends_mark(kind: str, text: str, i: int) -> bool:
    ch, after = text[i], _at(text, i + 1)
    return {
        "bold": ch == "*",
        "italic": ch == "_" and after != "_",
        "code": ch == "`",
        "pre": ch == "`" and after == "`" and _at(text, i + 2) == "`",
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
    while not _is_space(_at(text, language_end)) and _at(text, language_end) != "`":
        language_end += 1
    if i != language_end and language_end < len(text) and text[language_end] != "`":
        language = text[i:language_end]
        i = language_end
    if _at(text, i) in ("\n", "\r"):
        if _at(text, i + 1) in ("\n", "\r") and _at(text, i) != _at(text, i + 1):
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
        if text[i] == "\\" and _escapable(_at(text, i + 1)):
            chars.append(text[i + 1])
            i += 2
            continue
        chars.append(text[i])
        i += 1
    if _at(text, i) != ")":
        raise MarkupError(f"{missing} at byte offset {_byte_offset(text, begin)}")
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
        if ch == "\\" and _escapable(_at(text, i + 1)):
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
            utf16 += _units(ch)
            if ch != "\r":
                can_start_blockquote = False
            out.append(ch)
            i += 1
            continue

        is_end = bool(opened) and (
            (have_blockquote and ch == "\n" and _at(text, i + 1) != ">")
            or _ends_mark(opened[-1].type, text, i)
        )
        if not is_end:
            position = i
            argument = ""
            kind: str | None
            if ch == "_":
                kind = "italic"
                if _at(text, i + 1) == "_":
                    kind = "underline"
                    i += 1
            elif ch == "*":
                kind = "bold"
            elif ch == "~":
                kind = "strikethrough"
            elif ch == "|":
                if _at(text, i + 1) != "|":
                    raise _reserved(ch)
                kind = "spoiler"
                i += 1
            elif ch == "[":
                kind = "text_link"
            elif ch == "`":
                kind = "code"
                if _at(text, i + 1) == "`" and _at(text, i + 2) == "`":
                    kind = "pre"
                    i, argument = _pre_start(text, i + 3)
                    i -= 1
            elif ch == "!":
                if _at(text, i + 1) != "[":
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
            if _at(text, i + 1) != "(":
                url = "".join(out[top.start :])
            else:
                i, url = _markdown_v2_url(text, i + 1, "Can't find end of a URL")
            link = _link_entity(top.offset, utf16 - top.offset, url)
            skip = skip or link is None
        elif kind == "custom_emoji":
            if _at(text, i + 1) != "(":
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
        if ch == "\\" and _at(text, i + 1) in ("_", "*", "`", "["):
            out.append(text[i + 1])
            utf16 += 1
            i += 2
            continue
        if ch not in "_*`[":
            out.append(ch)
            utf16 += _units(ch)
            i += 1
            continue

        begin = i
        end_character = "]" if ch == "[" else ch
        is_pre = ch == "`" and _at(text, i + 1) == "`" and _at(text, i + 2) == "`"
        language = ""
        i += 1
        if is_pre:
            i, language = _pre_start(text, i + 2)
        offset = utf16
        start = len(out)
        while i < size and (
            text[i] != end_character
            or (is_pre and not (_at(text, i + 1) == "`" and _at(text, i + 2) == "`"))
        ):
            out.append(text[i])
            utf16 += _units(text[i])
            i += 1
        if i == size:
            raise MarkupError(f"Can't find end of the entity starting {_where(text, begin)}")

        if utf16 != offset:
            length = utf16 - offset
            if ch == "_":
                entities.append(Entity("italic", offset, length))
            elif ch == "*":
                entities.append(Entity("bold", offset, length))
            elif ch == "[":
                url = "".join(out[start:])
                if _at(text, i + 1) == "(":
                    i += 2
                    url_begin = i
                    while i < size and text[i] != ")":
                        i += 1
                    url = text[url_begin:i]
                link = _link_entity(offset, length, url)
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


# ----- fix_entities: the nesting rules ---------------------------------------------------


def _entities_valid(entities: list[Entity]) -> bool:
    """TDLib's are_entities_valid (entities sorted): nothing needs fixing."""
    ends = dict.fromkeys(SPLITTABLE, -1)
    stack: list[Entity] = []
    for entity in entities:
        while stack and entity.offset >= stack[-1].end:
            stack.pop()
        if stack:
            nested = {parent.type for parent in stack}
            if entity.end > stack[-1].end:  # intersects a previous entity
                return False
            if entity.type in nested:  # same type as one of the enclosing entities
                return False
            if stack[-1].type in PRE_KINDS:  # pre and code contain nothing
                return False
            if entity.type in PRE_KINDS and nested - BLOCKQUOTES:
                return False  # pre and code are part of nothing but a blockquote
            if (entity.type in CONTINUOUS or entity.type in BLOCKQUOTES) and nested & CONTINUOUS:
                return False
            if entity.type in BLOCKQUOTES and nested & BLOCKQUOTES:
                return False
            if nested & set(SPLITTABLE):  # the parent may need splitting
                return False
        if entity.type in ends:
            if ends[entity.type] >= entity.offset:  # could be merged
                return False
            ends[entity.type] = entity.end
        stack.append(entity)
    return True


def _remove_intersecting(entities: list[Entity]) -> list[Entity]:
    kept: list[Entity] = []
    last_end = 0
    for entity in entities:
        if entity.offset >= last_end:
            last_end = entity.end
            kept.append(entity)
    return kept


def _remove_intersecting_blockquote(
    entities: list[Entity], blockquotes: list[Entity]
) -> list[Entity]:
    kept: list[Entity] = []
    index = 0
    for entity in entities:
        while index < len(blockquotes) and blockquotes[index].end <= entity.offset:
            index += 1
        if index < len(blockquotes):
            quote = blockquotes[index]
            if quote.end < entity.end or entity.offset < quote.offset < entity.end:
                continue
        kept.append(entity)
    return kept


def _split_entities(splittable: list[Entity], others: list[Entity]) -> list[Entity]:
    """Merge overlapping/adjacent entities of one splittable type, split them at the
    borders of the other entities and drop them inside pre/code."""
    begin = dict.fromkeys(SPLITTABLE, 0)
    end = dict.fromkeys(SPLITTABLE, 0)
    result: list[Entity] = []
    position = 0

    def flush(offset: int) -> None:
        for kind in SPLITTABLE:
            if end[kind] != 0 and begin[kind] < offset:
                if end[kind] <= offset:
                    result.append(Entity(kind, begin[kind], end[kind] - begin[kind]))
                    begin[kind] = end[kind] = 0
                else:
                    result.append(Entity(kind, begin[kind], offset - begin[kind]))
                    begin[kind] = offset

    def add_entities(end_offset: int) -> None:
        nonlocal position
        while position < len(splittable) and splittable[position].offset < end_offset:
            entity = splittable[position]
            kind = entity.type
            if end[kind] != 0 and entity.offset <= end[kind]:
                end[kind] = max(end[kind], entity.end)
            else:
                flush(entity.offset)
                begin[kind], end[kind] = entity.offset, entity.end
            position += 1
        flush(end_offset)

    stack: list[Entity] = []

    def add_offset(offset: int) -> None:
        while stack and offset >= stack[-1].end:
            old_size = len(result)
            add_entities(stack[-1].end)
            if stack[-1].type in PRE_KINDS:
                del result[old_size:]
            stack.pop()
        add_entities(offset)

    for other in others:
        add_offset(other.offset)
        stack.append(other)
    add_offset(2**31 - 1)
    return sorted(result, key=Entity.sort_key)


def fix_entities(entities: list[Entity]) -> list[Entity]:
    """TDLib's fix_entities: enforce Telegram's nesting rules on sorted entities."""
    entities = sorted(entities, key=Entity.sort_key)
    if _entities_valid(entities):
        return entities
    splittable = [entity for entity in entities if entity.type in SPLITTABLE]
    blockquotes = [entity for entity in entities if entity.type in BLOCKQUOTES]
    others = [
        entity
        for entity in entities
        if entity.type not in SPLITTABLE and entity.type not in BLOCKQUOTES
    ]
    others = _remove_intersecting(others)  # continuous entities can't intersect
    if blockquotes:
        blockquotes = _remove_intersecting(blockquotes)
        others = _remove_intersecting_blockquote(others, blockquotes)
        others = sorted(others + blockquotes, key=Entity.sort_key)
    if splittable:
        splittable = _split_entities(splittable, others)
        others = sorted(others + splittable, key=Entity.sort_key)
    return others
