"""The panel's cookies: their names, and whether they go out Secure."""

from __future__ import annotations

from aiohttp import web

from admin_web.state import state_of

COOKIE = "relaydesk_session"
LOGIN_CSRF_COOKIE = "relaydesk_login_csrf"


def secure_cookies(request: web.Request) -> bool:
    core = state_of(request).core
    forced = core.settings.admin_secure_cookies if core else None
    if forced is not None:
        return forced
    return request.secure or request.headers.get("X-Forwarded-Proto") == "https"
