"""Download links of stored files: `?a=<audience>&e=<expiry>&s=<signature>`, signed with
the file's own key. The audience is the one contact the link was made for (a web chat
visitor, an API contact): a link works only for that contact's files, and only until it
expires. Links are read by browsers and other systems, so the expiry is wall-clock time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import urlencode


def _signature(key: str, file_id: int, audience: str, expires: int) -> str:
    mac = hmac.new(key.encode(), f"{file_id}.{audience}.{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def link_query(key: str, file_id: int, audience: str, hours: float) -> str:
    expires = int(time.time() + hours * 3600)
    signature = _signature(key, file_id, audience, expires)
    return urlencode({"a": audience, "e": expires, "s": signature})


def valid(key: str, file_id: int, audience: str, expires: str, signature: str) -> bool:
    if not expires.isdigit() or len(expires) > 12 or int(expires) < time.time():
        return False
    return hmac.compare_digest(_signature(key, file_id, audience, int(expires)), signature)


def file_url(base: str, file_id: int, key: str, audience: str, hours: float) -> str:
    """`base` (the desk's public address and the route, or the route alone) and the query."""
    return f"{base}/{file_id}?{link_query(key, file_id, audience, hours)}"
