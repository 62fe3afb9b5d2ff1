"""Signing in and out."""

from __future__ import annotations

from aiohttp import web

from admin_web.access import LOGIN_CSRF, SESSION_TOKEN, VIEWER
from admin_web.cookies import COOKIE, LOGIN_CSRF_COOKIE, secure_cookies
from admin_web.i18n import panel_language
from admin_web.pages import render
from admin_web.security import new_token
from admin_web.sessions import SESSION_LIFETIME
from admin_web.state import core_of, state_of
from bot.base.i18n import _
from bot.people.accounts import authenticate
from storage.models import AdminAccount

routes = web.RouteTableDef()


def _next(request: web.Request, value: str | None) -> str:
    """Only a page of the panel: never a redirect to another site."""
    target = value or "/admin/"
    return target if target.startswith("/admin/") and "//" not in target else "/admin/"


def _form(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = new_token()
    request[LOGIN_CSRF] = token
    response = render(
        "login.html",
        request,
        {"error": error, "next": _next(request, request.query.get("next")), "name": ""},
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=secure_cookies(request),
        path="/admin/",
    )
    return response


@routes.get("/login", name="login")
async def login(request: web.Request) -> web.StreamResponse:
    if VIEWER in request:
        raise web.HTTPFound("/admin/")
    return _form(request)


@routes.post("/login", name="login_post")
async def login_post(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    state = state_of(request)
    keys = (f"name:{name.lower()}", f"ip:{request.remote}")
    language = panel_language(request)
    translator = core_of(request).translator
    if not await state.throttle.attempt(*keys):  # counted before the check: see throttle.py
        text = translator.gettext(language, _("Too many attempts. Try again in 15 minutes."))
        return _form(request, text, status=429)
    account = await authenticate(name, password)
    if account is None:
        return _form(request, translator.gettext(language, _("Wrong name or password.")), 400)
    await state.throttle.succeeded(*keys)
    now = core_of(request).clock.now()
    token, _session = await state.sessions.create(account.id, now)
    await AdminAccount.filter(id=account.id).update(last_login_at=now)
    response = web.HTTPFound(_next(request, str(form.get("next") or "")))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(request),
        path="/admin/",
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/admin/")
    raise response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.StreamResponse:
    await state_of(request).sessions.drop(request[SESSION_TOKEN])
    response = web.HTTPFound("/admin/login")
    response.del_cookie(COOKIE, path="/admin/")
    raise response
