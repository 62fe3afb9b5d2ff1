"""The admin panel as an aiohttp sub-application under /admin/ of the Relaydesk server."""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin_web.access import SESSION_TOKEN, VIEWER, viewer_for
from admin_web.cookies import COOKIE, LOGIN_CSRF_COOKIE
from admin_web.pages import render
from admin_web.security import same
from admin_web.sessions import RedisSessions
from admin_web.state import PANEL_STATE, PanelState, core_of, state_of
from admin_web.throttle import LoginThrottle
from admin_web.views import (
    accounts,
    channels,
    contacts,
    conversations,
    dashboard,
    lines,
    login,
    operators,
    quick_replies,
    reports,
    rule_form,
    rules,
    rules_dry_run,
    settings,
)
from bot.core import Core
from storage.models import AdminAccount

log = logging.getLogger(__name__)

PUBLIC_ROUTES = {"login", "login_post", "static"}
SHOWN_ERRORS = (400, 403, 404, 405, 413, 429)  # said on a page; other statuses as raised
STATIC = Path(__file__).resolve().parent / "static"
VIEW_MODULES = (
    login,
    dashboard,
    lines,
    operators,
    quick_replies,
    rules,
    rules_dry_run,
    rule_form,
    conversations,
    reports,
    contacts,
    settings,
    accounts,
    channels,
)


class Panel:
    """Installed with the bridges; started with the core."""

    def __init__(self) -> None:
        self.state = PanelState()

    def install(self, app: web.Application) -> None:
        sub = web.Application(middlewares=[errors, signed_in, csrf, readable])
        sub[PANEL_STATE] = self.state
        aiohttp_jinja2.setup(
            sub,
            loader=jinja2.PackageLoader("admin_web", "templates"),
            autoescape=jinja2.select_autoescape(default=True),
        )
        sub.router.add_static("/static/", STATIC, name="static")
        for module in VIEW_MODULES:
            sub.add_routes(module.routes)
        app.add_subapp("/admin/", sub)
        app.router.add_get("/admin", _to_panel)

    async def start(self, app: web.Application, core: Core) -> None:
        self.state.core = core
        if core.redis is not None:
            self.state.sessions = RedisSessions(core.redis)
        self.state.throttle = LoginThrottle(core.redis)
        settings = core.settings
        log.info("Admin panel: http://%s:%s/admin/", settings.http_host, settings.http_port)
        if not await AdminAccount.exists():
            log.warning(
                "No admin panel account yet: create the first one with "
                "`relaydesk create-admin NAME` (it asks for the password)"
            )

    async def stop(self) -> None:
        self.state.core = None


def create_panel() -> Panel:
    return Panel()


async def _to_panel(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/admin/")


def wants_json(request: web.Request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@web.middleware
async def errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Errors as pages in the viewer's language; never a traceback. An unexpected exception
    is logged here, once, and the person reads a plain page."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status not in SHOWN_ERRORS or wants_json(request):
            raise
        return error_page(request, error.status)
    except Exception:
        log.exception("Admin page %s failed", request.path)
        return error_page(request, 500)


def error_page(request: web.Request, status: int) -> web.Response:
    """When even the error page cannot be drawn (the desk is stopping), a bare status line."""
    try:
        return render("error.html", request, {"status": status}, status=status)
    except Exception:
        log.exception("The error page of %s failed", request.path)
        return web.Response(status=status, text=f"{status}: {HTTPStatus(status).phrase}")


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every page needs a session, except the sign-in page and the stylesheet."""
    token = request.cookies.get(COOKIE)
    if token:
        session = await state_of(request).sessions.load(token, core_of(request).clock.now())
        account = (
            await AdminAccount.get_or_none(id=session.account_id, disabled=False)
            if session
            else None
        )
        if session and account:
            request[VIEWER] = await viewer_for(account, session.csrf_token)
            request[SESSION_TOKEN] = token
    route = request.match_info.route.name
    if VIEWER not in request and route not in PUBLIC_ROUTES:
        if wants_json(request):
            raise web.HTTPUnauthorized(text="sign in first")
        raise web.HTTPFound(f"/admin/login?next={request.rel_url.path_qs}")
    return await handler(request)


@web.middleware
async def readable(request: web.Request, handler: Any) -> web.StreamResponse:
    """A NUL character in a query or a form is refused at the door: PostgreSQL can neither
    store nor compare a text holding one, and no person types it."""
    values = list(request.query.values())
    if request.method == "POST":
        values += [v for v in (await request.post()).values() if isinstance(v, str)]
    if any("\x00" in value for value in values):
        log.warning("Refused a %s to %s holding a NUL character", request.method, request.path)
        raise web.HTTPBadRequest(text="the request holds a character that is not allowed")
    return await handler(request)


@web.middleware
async def csrf(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every change is a POST that carries the session's token (a form field, or a header
    for scripted requests); the sign-in form carries the token of its own cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return await handler(request)
    form = await request.post()
    sent = str(form.get("csrf_token") or request.headers.get("X-CSRF-Token") or "")
    viewer = request.get(VIEWER)
    expected = viewer.csrf_token if viewer else request.cookies.get(LOGIN_CSRF_COOKIE)
    if not same(sent, expected):
        log.warning("Refused a %s to %s without a valid CSRF token", request.method, request.path)
        raise web.HTTPForbidden(text="the form has expired: reload the page")
    return await handler(request)
