"""Serving a stored file over a signed link (the web chat's and the API's): images inline
with their own type, everything else as a download, never anything a browser would run as
a page (`nosniff`, a sandboxing CSP)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web

from bot.attachments.downloads import Refusal, downloadable
from bot.attachments.kinds import IMAGES, served_type

log = logging.getLogger(__name__)


def _disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def serve_file(request: web.Request, channel: str) -> web.Response:
    query = request.query
    found = await downloadable(
        request.match_info.get("id", ""),
        channel,
        query.get("a", ""),
        query.get("e", ""),
        query.get("s", ""),
    )
    if isinstance(found, Refusal):
        log.info("File link refused (%s): %s", found.value, request.path)
        words = "No such file." if found is Refusal.NOT_FOUND else "This link is not valid."
        return web.Response(status=found.value, text=words)
    mime = served_type(found.mime)
    inline = mime in IMAGES
    return web.Response(
        body=bytes(found.data),
        content_type=mime,
        headers={
            "Content-Disposition": _disposition("inline" if inline else "attachment", found.name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
