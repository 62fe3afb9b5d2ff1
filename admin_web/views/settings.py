"""Global settings and the audit log, for admins. A saved setting applies at once and after a
restart, on every instance (`bot.directory.live_settings`); the audit log shows who changed
what and when."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web.access import ADMIN, viewer
from admin_web.i18n import panel_language
from admin_web.pages import render
from admin_web.params import page_number
from admin_web.state import core_of
from admin_web.views.lines import actor_name, actor_of
from bot.base.bounds import fits
from bot.directory.global_settings import EDITABLE, SettingRefusal, check
from storage.models import AuditEntry

routes = web.RouteTableDef()

PAGE_SIZE = 50
MAX_FILTER = 256  # what a filter shows again


def settings_page(
    request: web.Request,
    form: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {"form": form, "errors": errors or {}, "saved": "saved" in request.query}
    return render("settings.html", request, context, status=status)


@routes.get("/settings", name="settings")
async def settings(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    live = core_of(request).live_settings
    await live.load()  # what another instance saved a moment ago too
    return settings_page(request, live.current())


@routes.post("/settings", name="settings_save")
async def settings_save(request: web.Request) -> web.StreamResponse:
    """Every value is checked before any is saved: a refused form changes nothing."""
    viewer(request).require(ADMIN)
    core = core_of(request)
    form = await request.post()
    typed: dict[str, Any] = {
        "note_prefix": str(form.get("note_prefix") or ""),
        "default_language": str(form.get("default_language") or ""),
        "assign_on_reply": bool(form.get("assign_on_reply")),
    }
    cleaned, errors = {}, {}
    for key in EDITABLE:
        try:
            cleaned[key] = check(key, typed[key])
        except SettingRefusal as refusal:
            text = refusal.text
            errors[key] = core.translator.gettext(panel_language(request), text.msgid, **text.args)
    if errors:
        return settings_page(request, typed, errors, status=400)
    actor = await actor_of(request)
    for key, value in cleaned.items():
        await core.live_settings.change(key, value, actor_name=actor_name(request), actor=actor)
    raise web.HTTPSeeOther("/admin/settings?saved=1")


def describe(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An entry's details as short `name: value` pairs; `changes` as old → new."""
    shown = []
    for name, value in details.items():
        if name == "changes" and isinstance(value, dict):
            for field, pair in value.items():
                old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
                shown.append((field, f"{_plain(old)} → {_plain(new)}"))
        else:
            shown.append((name, _plain(value)))
    return shown


def _plain(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


@routes.get("/audit", name="audit")
async def audit_log(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    action = request.query.get("action", "").strip()[:MAX_FILTER]
    actor = request.query.get("actor", "").strip()[:MAX_FILTER]
    page = page_number(request.query.get("page"))
    query = AuditEntry.all()
    if not (fits(AuditEntry, "action", action) and fits(AuditEntry, "actor_name", actor)):
        query = query.filter(id__in=[])  # longer than any entry's: nothing to match
    if action:
        query = query.filter(action__startswith=action)
    if actor:
        query = query.filter(actor_name__icontains=actor)
    found = (
        await query.order_by("-created_at", "-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .prefetch_related("operator")
    )
    zone = ZoneInfo(core_of(request).settings.timezone)
    entries = [
        {
            "entry": entry,
            "at": entry.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            "details": describe(entry.details or {}),
        }
        for entry in found[:PAGE_SIZE]
    ]

    def link(number: int) -> str:
        filters = {"action": action, "actor": actor, "page": number}
        return "/admin/audit?" + urlencode({k: v for k, v in filters.items() if v})

    context = {
        "entries": entries,
        "action": action,
        "actor": actor,
        "page": page,
        "timezone": core_of(request).settings.timezone,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if len(found) > PAGE_SIZE else None,
    }
    return render("audit.html", request, context)
