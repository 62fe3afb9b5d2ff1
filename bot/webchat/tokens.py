"""Visitor tokens: "v1.<entry point id>.<visitor>.<signature>", kept in the visitor's
localStorage so that a reload or a second tab is the same visitor.

The signature is an HMAC-SHA256 with the entry point's own secret (and
RELAYDESK_WEBCHAT_SECRET when it is set): a forged token, or one made for another entry
point, verifies nowhere else. A token carries no personal data; the visitor id is random."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

VERSION = "v1"
VISITOR = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Visitor:
    entry_point_id: int
    id: str

    @property
    def external_id(self) -> str:
        """The visitor's identity in the `webchat` channel: one per entry point."""
        return f"{self.entry_point_id}:{self.id}"


def signing_key(entry_secret: str, server_secret: str | None) -> bytes:
    if not server_secret:
        return entry_secret.encode()
    return hmac.new(server_secret.encode(), entry_secret.encode(), hashlib.sha256).digest()


def _signature(key: bytes, entry_point_id: int, visitor: str) -> str:
    mac = hmac.new(key, f"{VERSION}.{entry_point_id}.{visitor}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def new_visitor(entry_point_id: int, key: bytes) -> tuple[Visitor, str]:
    visitor = Visitor(entry_point_id, secrets.token_urlsafe(16))
    return visitor, token_of(visitor, key)


def token_of(visitor: Visitor, key: bytes) -> str:
    signature = _signature(key, visitor.entry_point_id, visitor.id)
    return f"{VERSION}.{visitor.entry_point_id}.{visitor.id}.{signature}"


def verify(token: str, entry_point_id: int, key: bytes) -> Visitor | None:
    """The visitor `token` was made for at this entry point; None for anything else."""
    if not isinstance(token, str) or len(token) > 160:
        return None
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION or parts[1] != str(entry_point_id):
        return None
    if not VISITOR.fullmatch(parts[2]):
        return None
    if not hmac.compare_digest(_signature(key, entry_point_id, parts[2]), parts[3]):
        return None
    return Visitor(entry_point_id, parts[2])
