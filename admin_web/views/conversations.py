"""Conversations: the list with filters and pages, and one conversation's record (transcript,
audit trail, rating, timings). Read-only for every role; what is listed is the viewer's
scope narrowed by the filters, never widened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web import conversation_queries as queries
from admin_web.access import viewer
from admin_web.pages import render
from admin_web.params import id_or_404
from admin_web.state import core_of
from bot.base.i18n import _
from bot.conversations.view import RESULT_NAMES, STATE_NAMES

routes = web.RouteTableDef()
AUDIT_ACTIONS = {
    "assignee": _("Assignee"),
    "status": _("Status"),
    "line": _("Line"),
    "topic": _("Topic"),
}


def _zone(request: web.Request) -> ZoneInfo:
    return ZoneInfo(core_of(request).settings.timezone)


def _clock_face(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"

    return when


def _labels() -> dict[str, dict[str, str]]:
    return {
        "states": {str(state): name for state, name in STATE_NAMES.items()},
        "results": RESULT_NAMES,
        "audit_actions": AUDIT_ACTIONS,
    }


@routes.get("/conversations", name="conversations")
async def conversation_list(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    zone = _zone(request)
    filters = queries.Filters.parse(request.query)
    page = await queries.page_of(who, filters, zone)
    context = {
        "filters": filters,
        "form": filters.form(),
        "page": page,
        "choices": await queries.choices(who),
        "when": _clock_face(zone),
        "zone": zone.key,
    }
    return render("conversations.html", request, context | _labels())


@routes.get(r"/conversations/{id:\d+}", name="conversation")
async def conversation_page(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    zone = _zone(request)
    conversation = await queries.visible(who, id_or_404(request))
    context = {
        "conversation": conversation,
        "transcript": await queries.transcript(conversation),
        "audit": await queries.audit_trail(conversation),
        "when": _clock_face(zone),
        "zone": zone.key,
    }
    return render("conversation.html", request, context | _labels())
