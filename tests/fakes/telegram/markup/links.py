"""Link targets of text links and custom emoji: TDLib's ``parse_url`` and LinkManager's
``get_checked_link``, ``get_link_user_id`` and ``get_link_custom_emoji_id``."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .entities import Entity
from .scanning import SPACES, MarkupError, int64, is_alnum, lower

_MAX_USER_ID = (1 << 40) - 1
_URL_HOST_SYMBOLS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_!$,~*'();&+=")


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
    scheme = lower(url[:scheme_end])
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
        number = int64(digits)
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

    query = query.rstrip("".join(SPACES))
    query = query or "/"
    query = ("" if query[0] == "/" else "/") + "".join(
        f"%{ord(ch):02X}" if ord(ch) <= 0x20 else ch for ch in query
    )
    host = lower(host)
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
        if lower(link[: len(prefix)]) == prefix:
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
            lower(link[:7]) == "http://"
            or url.https
            or url.userinfo
            or url.specified_port
            or url.is_ipv6
        ):
            return ""
        query = url.query[1:] if len(url.query) > 1 and url.query[1] == "?" else url.query
        if any(
            not (is_alnum(ch) or ch in "-_" or (scheme == "tonsite" and ch == "."))
            for ch in url.host
        ):
            return ""
        return f"{scheme}://{url.host}{query}"
    if "." not in url.host and not url.is_ipv6:
        return ""
    return url.full()


def _tg_query(url: str, host: str) -> str | None:
    """The query of ``tg:[//]<host>[/]?<query>`` (lower-cased), or None."""
    url = lower(url)
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
    user_id = int64(value) if value is not None else None
    return user_id if user_id is not None and 0 < user_id <= _MAX_USER_ID else None


def link_custom_emoji_id(url: str) -> str:
    """LinkManager::get_link_custom_emoji_id for ``tg://emoji?id=N``."""
    url = lower(url)
    if not url.startswith("tg:"):
        raise MarkupError("Custom emoji URL must have scheme tg")
    url = url[3:].removeprefix("//")
    if not url.startswith("emoji"):
        raise MarkupError('Custom emoji URL must have host "emoji"')
    url = url[len("emoji") :].removeprefix("/")
    value = _query_id(url[1:].split("#", 1)[0]) if url.startswith("?") else None
    if value is None:
        raise MarkupError("Custom emoji URL must have an emoji identifier")
    emoji_id = int64(value)
    if not emoji_id:
        raise MarkupError("Invalid custom emoji identifier specified")
    return str(emoji_id)


def link_entity(offset: int, length: int, url: str) -> Entity | None:
    """An <a href> / [text](url): text_mention for tg://user links, else a checked link."""
    user_id = link_user_id(url)
    if user_id is not None:
        return Entity("text_mention", offset, length, str(user_id))
    checked = checked_link(url)
    return Entity("text_link", offset, length, checked) if checked else None
