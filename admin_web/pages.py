"""Rendering a page with what every template needs: `_`, the viewer, the CSRF token."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin_web.access import LOGIN_CSRF, VIEWER
from admin_web.i18n import panel_language, translate
from bot.base.i18n import LANGUAGES


def page_context(request: web.Request) -> dict[str, Any]:
    language = panel_language(request)
    viewer = request.get(VIEWER)
    return {
        "_": lambda msgid, **args: translate(request, language, msgid, **args),
        "lang": language,
        "languages": LANGUAGES,
        "viewer": viewer,
        "csrf_token": viewer.csrf_token if viewer else request.get(LOGIN_CSRF, ""),
        "path": request.path,
    }


def render(
    template: str, request: web.Request, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    return aiohttp_jinja2.render_template(
        template, request, page_context(request) | context, status=status
    )
