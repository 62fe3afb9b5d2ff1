"""Who may read `/metrics`: the line names and queue sizes there are the desk's business.

With RELAYDESK_METRICS_TOKEN set, a caller sends it as a bearer token, from anywhere.
Without it, only callers on this machine (loopback) are answered: the desk serves on
127.0.0.1 by default, and a Prometheus elsewhere needs the token.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from bot.base.i18n import Text, _
from bot.base.settings import Settings

BAD_TOKEN = _(
    "/metrics needs the token of RELAYDESK_METRICS_TOKEN: send it as "
    '"Authorization: Bearer <token>".'
)
NOT_LOCAL = _(
    "/metrics answers only this machine: set RELAYDESK_METRICS_TOKEN and send it as a "
    "bearer token to read it from elsewhere."
)


@dataclass(frozen=True)
class Refusal:
    status: int
    text: Text


def refusal(settings: Settings, remote: str | None, authorization: str | None) -> Refusal | None:
    """None when the caller may read the metrics; else the status and why."""
    token = settings.secret(settings.metrics_token)
    if token:
        scheme, _space, given = (authorization or "").partition(" ")
        matches = hmac.compare_digest(given.strip().encode(), token.encode())
        if scheme.lower() == "bearer" and matches:
            return None
        return Refusal(401, Text(BAD_TOKEN))
    if _is_loopback(remote):
        return None
    return Refusal(403, Text(NOT_LOCAL))


def _is_loopback(remote: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    # A dual-stack server sees an IPv4 caller as ::ffff:a.b.c.d.
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback
