"""Channels: the REST API's entry points, for admins only.

Every change goes through `bot.directory.api_entry_points`, the services `relaydesk api`
uses, so the panel and the CLI share their checks and audit. A key (and a webhook secret) is
shown once, on the page that answers the POST which made it; it is never kept to be shown
again — only its hash and first characters are stored.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.access import ADMIN, Viewer, viewer
from admin_web.i18n import say
from admin_web.pages import render
from bot.directory import DirectoryError
from bot.directory.api_entry_points import (
    API_SLUG,
    Issued,
    api_key_of,
    create_api_entry_point,
    list_api_entry_points,
    rotate_key,
    set_webhook,
)
from storage.models import ApiEntryPoint, Line

routes = web.RouteTableDef()
LIST = "/admin/channels"


def _admin(request: web.Request) -> Viewer:
    who = viewer(request)
    who.require(ADMIN)
    return who


def _actor(who: Viewer) -> str:
    return f"web:{who.account.username}"


async def _list_page(
    request: web.Request,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    return render(
        "channels.html",
        request,
        {
            "rows": await list_api_entry_points(),
            "lines": await Line.all().order_by("name"),
            "form": form or {"slug": "", "name": "", "line": "", "webhook_url": ""},
            "errors": errors or {},
            "saved": request.query.get("saved") == "1",
        },
        status=status,
    )


def _issued_page(request: web.Request, issued: Issued, *, rotated: bool = False) -> web.Response:
    """The only page that shows the key: answered to the POST, never redirected to."""
    response = render(
        "channels_key.html",
        request,
        {"issued": issued, "rotated": rotated},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def _slug(request: web.Request) -> str:
    """The address's entry point, or 404."""
    slug = request.match_info["slug"]
    if not API_SLUG.fullmatch(slug) or not await ApiEntryPoint.exists(
        entry_point__key=api_key_of(slug)
    ):
        raise web.HTTPNotFound()
    return slug


@routes.get("/channels", name="channels")
async def channel_list(request: web.Request) -> web.StreamResponse:
    _admin(request)
    return await _list_page(request)


@routes.post("/channels/api", name="channel_api_create")
async def api_create(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    data = await request.post()
    form = {
        key: str(data.get(key, "")).strip()[:500] for key in ("slug", "name", "line", "webhook_url")
    }
    try:
        issued = await create_api_entry_point(
            form["slug"],
            form["line"],
            name=form["name"] or None,
            webhook_url=form["webhook_url"] or None,
            actor_name=_actor(who),
        )
    except DirectoryError as error:
        return await _list_page(
            request, form=form, errors={"create": say(request, error.text)}, status=400
        )
    return _issued_page(request, issued)


@routes.post(r"/channels/api/{slug}/rotate", name="channel_api_rotate")
async def api_rotate(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    issued = await rotate_key(await _slug(request), actor_name=_actor(who))
    return _issued_page(request, issued, rotated=True)


@routes.post(r"/channels/api/{slug}/webhook", name="channel_api_webhook")
async def api_webhook(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    slug = await _slug(request)
    data = await request.post()
    url = "" if data.get("clear") else str(data.get("webhook_url", "")).strip()[:2000]
    try:
        issued = await set_webhook(
            slug, url or None, new_secret_too=bool(data.get("new_secret")), actor_name=_actor(who)
        )
    except DirectoryError as error:
        errors: dict[str, Any] = {f"webhook:{slug}": say(request, error.text)}
        return await _list_page(request, errors=errors, status=400)
    if issued.webhook_secret:
        return _issued_page(request, issued)
    raise web.HTTPFound(f"{LIST}?saved=1")
