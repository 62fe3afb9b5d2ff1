"""Who may talk to a web chat entry point: the page's origin must be one of the entry
point's allowed origins (browsers send Origin with every WebSocket and cross-site request;
a page cannot forge it). Refusals say in words what to change; the widget shows its own."""

from __future__ import annotations

import re

from aiohttp import web

from bot.directory.webchat_entry_points import by_public_key
from storage.models import WebchatEntryPoint

# What a browser sends as Origin; anything else is not echoed back in a header.
ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]{1,200}")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field  # the form's field it is about (name, email), if any

    def shape(self) -> dict[str, str]:
        shown = {"code": self.code, "message": self.message}
        return shown | ({"field": self.field} if self.field else {})


async def entry_point_of(request: web.Request) -> tuple[WebchatEntryPoint, str]:
    """The entry point the request's `key` names, and the page's origin, once it is allowed."""
    key = request.query.get("key", "")
    webchat = await by_public_key(key) if key else None
    if webchat is None:
        raise Refused(
            404,
            "unknown_key",
            "There is no web chat with this key (data-key of the script tag); "
            "it may have been rotated: copy the snippet again.",
        )
    origin = request.headers.get("Origin", "")
    if not origin or origin.lower() not in webchat.allowed_origins:
        shown = origin[:100] or "(a page that sent no Origin)"
        raise Refused(
            403,
            "origin_not_allowed",
            f"{shown} may not use this web chat. Add it to the allowed origins: "
            f"relaydesk webchat origins {webchat.entry_point.key.partition(':')[2]} "
            f"--add {origin[:100] or 'https://your.site'}",
        )
    return webchat, origin


def cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin[:200],
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def refusal(error: Refused, origin: str | None = None) -> web.Response:
    """A refusal as JSON, readable by the page that asked (it carries no data), so that the
    widget can say "not available on this site" instead of failing silently."""
    headers = cors_headers(origin) if origin and ORIGIN.fullmatch(origin) else {}
    return web.json_response(
        {"error": error.shape()},
        status=error.status,
        headers=headers,
    )
