"""The dashboard: each line's queue with wait times, operators with status and load, open
conversations. The live part is reloaded by the page itself every few seconds."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.access import Viewer, viewer
from admin_web.i18n import panel_language
from admin_web.pages import render
from admin_web.state import core_of, state_of
from bot.base.setup_check import Finding, setup_findings
from bot.conversations import assignment
from storage.models import Conversation, ConversationStatus, Line, LineMember, Operator

routes = web.RouteTableDef()
OPEN = (ConversationStatus.QUEUED, ConversationStatus.OPEN, ConversationStatus.SNOOZED)
REFRESH_SECONDS = 10
SETUP_CHECK_SECONDS = 8.0  # a check that waits longer for Telegram or Slack says so
SETUP_CACHE_SECONDS = 30.0


async def snapshot(request: web.Request, who: Viewer) -> dict[str, Any]:
    now = core_of(request).clock.now()
    lines = [line for line in await Line.all().order_by("id") if who.sees_line(line.id)]
    conversations = (
        await Conversation.filter(status__in=OPEN, **who.conversation_scope())
        .order_by("id")
        .prefetch_related("contact", "assignee", "line")
    )
    queues = []
    for line in lines:
        waiting = [
            c
            for c in conversations
            if c.line_id == line.id and c.status == ConversationStatus.QUEUED  # type: ignore[attr-defined]
        ]
        queues.append(
            {
                "line": line,
                "waiting": [
                    (c, int((now - (c.queued_at or c.created_at)).total_seconds() // 60))
                    for c in waiting
                ],
            }
        )
    member_ids = await LineMember.filter(line_id__in=[line.id for line in lines]).values_list(
        "operator_id", flat=True
    )
    operators = await Operator.filter(id__in=list(set(member_ids))).order_by("name")
    if who.role == "operator":
        operators = [o for o in operators if o.id == who.operator_id]
    loads = await assignment.load(o.id for o in operators)
    connected = core_of(request).connections.workspace_kinds
    return {
        "queues": queues,
        "operators": [(o, loads[o.id]) for o in operators],
        "open": [c for c in conversations if c.status != ConversationStatus.QUEUED],
        "refresh": REFRESH_SECONDS,
        "setup": await _setup(request) if not lines or not connected else [],
    }


async def _setup(request: web.Request) -> list[tuple[bool, str]]:
    """What is connected and what is missing, in the words of `relaydesk check` (its own
    code), for a panel with nothing to show yet."""
    state, core = state_of(request), core_of(request)
    now = core.clock.monotonic()
    if state.setup_findings is None or now - state.setup_findings[0] > SETUP_CACHE_SECONDS:
        fresh: list[Finding] = await setup_findings(
            core.settings, core.setup_checks, SETUP_CHECK_SECONDS
        )
        state.setup_findings = (now, fresh)
    language = panel_language(request)
    return [
        (good, core.translator.render(language, text)) for good, text in state.setup_findings[1]
    ]


@routes.get("/", name="dashboard")
async def dashboard(request: web.Request) -> web.StreamResponse:
    return render("dashboard.html", request, await snapshot(request, viewer(request)))


@routes.get("/dashboard/live", name="dashboard_live")
async def dashboard_live(request: web.Request) -> web.StreamResponse:
    return render("dashboard_live.html", request, await snapshot(request, viewer(request)))
