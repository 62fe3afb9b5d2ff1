"""The panel's language: the account's own, or the browser's before signing in."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.access import VIEWER
from admin_web.state import core_of
from bot.base.i18n import LANGUAGES, Text, pick_language

LANGUAGE_COOKIE = "relaydesk_lang"


def panel_language(request: web.Request) -> str:
    viewer = request.get(VIEWER)
    if viewer is not None:
        return pick_language(viewer.account.language)
    chosen = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("Accept-Language", "").split(","):
        code = pick_language(part.split(";")[0].strip(), "")
        if code:
            return code
    return "en"


def translate(request: web.Request, language: str, msgid: str, **args: Any) -> str:
    return core_of(request).translator.gettext(language, msgid, **args)


def say(request: web.Request, text: Text) -> str:
    """`text` (a refusal of the core's, say) in the viewer's language."""
    return core_of(request).translator.render(panel_language(request), text)
