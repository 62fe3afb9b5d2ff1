"""Which addresses the desk may POST to on someone's behalf. A webhook URL is typed by an
admin or an integrator; without this, it could make the desk call its own database, Redis,
or a cloud's metadata service. Pure checks: the bridge that sends resolves the name and asks
here about every address it got, then connects to those very addresses."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
MAX_URL = 512


class UnsafeAddress(ValueError):
    """A URL or address the desk does not call; the message says why, for the log."""


def check_url(url: str) -> str:
    """`url` when it is an absolute http(s) URL with a host, else UnsafeAddress."""
    if len(url) > MAX_URL:
        raise UnsafeAddress(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeAddress(f"not a URL ({error})") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise UnsafeAddress("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UnsafeAddress("the URL must not carry a user or password")
    del port  # reading it checked it
    return url


def is_public(address: str) -> bool:
    """Whether `address` is a public unicast address (not loopback, private, link-local,
    multicast, reserved, or an IPv4 one mapped into IPv6 that is one of those)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_address(address: str, *, allow_private: bool) -> None:
    if not allow_private and not is_public(address):
        raise UnsafeAddress(
            f"{address} is a private or loopback address "
            "(RELAYDESK_WEBHOOK_ALLOW_PRIVATE=true allows it)"
        )
