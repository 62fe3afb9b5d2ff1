"""Channels: the REST API's and the web chat's entry points, for admins only.

Every change goes through `bot.directory.api_entry_points` and `.webchat_entry_points`, the
services `relaydesk api` and `relaydesk webchat` use, so the panel and the CLI share their
checks and audit. An API key (and a webhook secret) is shown once, on the page that answers
the POST which made it; it is never kept to be shown again — only its hash and first
characters are stored. A web chat's key is public (it is in every page's snippet).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.access import ADMIN, Viewer, viewer
from admin_web.i18n import say
from admin_web.pages import render
from admin_web.state import core_of
from bot.api.webhook_ping import recent_deliveries, send_test
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
from bot.directory.webchat_entry_points import (
    FORM_MODES,
    Snippet,
    create_webchat_entry_point,
    list_webchat_entry_points,
    rotate_public_key,
    set_form,
    set_look,
    set_origins,
    webchat_key_of,
)
from bot.directory.webchat_entry_points import SLUG as WEBCHAT_SLUG
from storage.models import ApiEntryPoint, Line, WebchatEntryPoint

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
    webchat_form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    tested: dict[str, tuple[int | None, str | None]] | None = None,
    status: int = 200,
) -> web.Response:
    rows = await list_api_entry_points()
    return render(
        "channels.html",
        request,
        {
            "rows": rows,
            "recent": {row.api.entry_point.key: await recent_deliveries(row.api) for row in rows},
            "tested": tested or {},
            "form_modes": FORM_MODES,
            "lines": await Line.all().order_by("name"),
            "form": form or {"slug": "", "name": "", "line": "", "webhook_url": ""},
            "webchats": [(w, _snippet(request, w)) for w in await list_webchat_entry_points()],
            "webchat_form": webchat_form
            or dict.fromkeys(("slug", "name", "line", "origin", "title", "color"), "")
            | {"position": "right"},
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


@routes.post(r"/channels/api/{slug}/test", name="channel_api_test")
async def api_test(request: web.Request) -> web.StreamResponse:
    """Sends a signed `ping` now and shows what the receiver answered, on the list page."""
    who = _admin(request)
    slug = await _slug(request)
    core = core_of(request)
    api = await ApiEntryPoint.get(entry_point__key=api_key_of(slug)).select_related("entry_point")
    result = await send_test(
        api, core.connections.webhooks, core.clock.now(), actor_name=_actor(who)
    )
    error = say(request, result.error) if result.error else None
    return await _list_page(request, tested={slug: (result.status, error)})


# --- web chat -----------------------------------------------------------------------------------


async def _webchat_slug(request: web.Request) -> str:
    slug = request.match_info["slug"]
    if not WEBCHAT_SLUG.fullmatch(slug) or not await WebchatEntryPoint.exists(
        entry_point__key=webchat_key_of(slug)
    ):
        raise web.HTTPNotFound()
    return slug


def _snippet(request: web.Request, webchat: WebchatEntryPoint) -> str:
    return str(Snippet(str(request.url.origin()), webchat.public_key))


async def _webchat_refused(request: web.Request, slug: str, error: DirectoryError) -> web.Response:
    return await _list_page(
        request, errors={f"webchat:{slug}": say(request, error.text)}, status=400
    )


@routes.post("/channels/webchat", name="channel_webchat_create")
async def webchat_create(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    data = await request.post()
    form = {
        key: str(data.get(key, "")).strip()[:500]
        for key in ("slug", "name", "line", "origin", "title", "color", "position")
    }
    try:
        await create_webchat_entry_point(
            form["slug"],
            form["line"],
            origins=[form["origin"]] if form["origin"] else [],
            name=form["name"] or None,
            title=form["title"] or None,
            color=form["color"] or None,
            position=form["position"] or None,
            actor_name=_actor(who),
        )
    except DirectoryError as error:
        return await _list_page(
            request,
            webchat_form=form,
            errors={"webchat_create": say(request, error.text)},
            status=400,
        )
    raise web.HTTPFound(f"{LIST}?saved=1#webchat-{form['slug']}")


@routes.post(r"/channels/webchat/{slug}/origins", name="channel_webchat_origins")
async def webchat_origins(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    slug = await _webchat_slug(request)
    data = await request.post()
    add = str(data.get("add", "")).strip()[:500]
    remove = str(data.get("remove", "")).strip()[:500]
    try:
        await set_origins(
            slug,
            add=[add] if add else [],
            remove=[remove] if remove else [],
            actor_name=_actor(who),
        )
    except DirectoryError as error:
        return await _webchat_refused(request, slug, error)
    raise web.HTTPFound(f"{LIST}?saved=1#webchat-{slug}")


@routes.post(r"/channels/webchat/{slug}/look", name="channel_webchat_look")
async def webchat_look(request: web.Request) -> web.StreamResponse:
    _admin(request)
    slug = await _webchat_slug(request)
    data = await request.post()
    try:
        await set_look(
            slug,
            title=str(data.get("title", ""))[:500],
            color=str(data.get("color", "")).strip()[:16] or None,
            position=str(data.get("position", "")).strip()[:16] or None,
        )
    except DirectoryError as error:
        return await _webchat_refused(request, slug, error)
    raise web.HTTPFound(f"{LIST}?saved=1#webchat-{slug}")


@routes.post(r"/channels/webchat/{slug}/rotate", name="channel_webchat_rotate")
async def webchat_rotate(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    await rotate_public_key(await _webchat_slug(request), actor_name=_actor(who))
    raise web.HTTPFound(f"{LIST}?saved=1#webchat-{request.match_info['slug']}")


@routes.post(r"/channels/webchat/{slug}/form", name="channel_webchat_form")
async def webchat_form(request: web.Request) -> web.StreamResponse:
    who = _admin(request)
    slug = await _webchat_slug(request)
    data = await request.post()
    try:
        await set_form(
            slug,
            name=str(data.get("name", "")).strip()[:16] or None,
            email=str(data.get("email", "")).strip()[:16] or None,
            actor_name=_actor(who),
        )
    except DirectoryError as error:
        return await _webchat_refused(request, slug, error)
    raise web.HTTPFound(f"{LIST}?saved=1#webchat-{slug}")
