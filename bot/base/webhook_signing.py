"""Signing what the desk POSTs to a webhook, and checking such a signature on the receiving
side: `X-Relaydesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the
timestamp in `X-Relaydesk-Timestamp`, so a captured request cannot be replayed later.

Pure functions of bytes and numbers: the API channel's webhooks use them, and so may any
other sender of signed webhooks (a rule's webhook action) and a receiver's tests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "X-Relaydesk-Timestamp"
SIGNATURE_HEADER = "X-Relaydesk-Signature"
EVENT_HEADER = "X-Relaydesk-Event"
PREFIX = "sha256="
# A receiver refuses a timestamp further than this from its own clock.
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def verify(
    secret: str,
    timestamp: str | None,
    signed: str | None,
    body: bytes,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> bool:
    """Whether `signed` is `secret`'s signature of `body` at `timestamp`, made recently."""
    if not timestamp or not signed or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), signed)
