"""The dry run of the incoming rules: a sample message, or a past conversation as it arrived,
and which rules would fire, in order, and what each would do. `bot.rules.dry_run` decides;
this page only reads the form and draws the answer: nothing is run, written or sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web.i18n import panel_language, say, translate
from admin_web.pages import render
from admin_web.params import optional_id
from admin_web.rule_rows import operator_refs, shown
from admin_web.state import core_of
from admin_web.views.rules import operator_names, reader
from bot.base.bounds import number_in
from bot.base.i18n import _
from bot.directory.checks import CHANNELS
from bot.rules.dry_run import MAX_TEXT, Sample, dry_run, facts_of_conversation, facts_of_sample
from bot.rules.facts import Facts
from storage.models import Conversation, EntryPoint, Line, Rule, RuleKind

routes = web.RouteTableDef()
LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
PROBLEMS = {
    "at": _("Write the time as 2026-11-25 14:30 (the desk's time zone)."),
    "earlier": _("Write a whole number from 0 to 10000."),
    "conversation": _("There is no conversation with this number that you can see."),
}


def _blank(zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {
        "text": "",
        "at": now.astimezone(zone).strftime(LOCAL),
        "channel": "telegram",
        "entry_point": "",
        "line": "",
        "contact_name": "",
        "tags": "",
        "language": "",
        "first_message": True,
        "earlier": "0",
        "conversation": "",
    }


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        local = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return None
    if local.tzinfo is not None or not 2000 <= local.year <= 2100:
        return None
    return local.replace(tzinfo=zone).astimezone(UTC)


async def _page(
    request: web.Request,
    form: dict[str, Any],
    *,
    results: list[dict[str, Any]] | None = None,
    facts: Facts | None = None,
    subject: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "form": form,
        "results": results,
        "facts": facts,
        "local_time": facts.now.astimezone(ZoneInfo(facts.timezone)).strftime("%Y-%m-%d %H:%M")
        if facts
        else "",
        "subject": subject,
        "errors": errors or {},
        "channels": CHANNELS,
        "entry_points": await EntryPoint.all().order_by("name"),
        "lines": await Line.all().order_by("name"),
        "timezone": core_of(request).settings.timezone,
        "max_text": MAX_TEXT,
        "say": lambda text: say(request, text),
    }
    return render("rules_dry_run.html", request, context, status=status)


@routes.get("/rules/dry-run", name="rules_dry_run")
async def rules_dry_run(request: web.Request) -> web.StreamResponse:
    reader(request)
    core = core_of(request)
    form = _blank(ZoneInfo(core.settings.timezone), core.clock.now())
    return await _page(request, form)


@routes.post("/rules/dry-run", name="rules_dry_run_post")
async def rules_dry_run_post(request: web.Request) -> web.StreamResponse:
    """A POST so that a customer's words stay out of addresses and logs; it changes nothing."""
    who = reader(request)
    core = core_of(request)
    timezone = core.settings.timezone
    zone = ZoneInfo(timezone)
    data = await request.post()
    form = _blank(zone, core.clock.now()) | {
        key: str(data.get(key, "")).replace("\r\n", "\n").strip()[:MAX_TEXT]
        for key in ("text", "at", "channel", "entry_point", "line", "contact_name", "tags")
        + ("language", "earlier", "conversation")
    }
    form["first_message"] = data.get("first_message") == "on"
    language = panel_language(request)
    errors = {}
    if form["conversation"]:
        number = optional_id(form["conversation"].lstrip("#"))
        found = await Conversation.filter(id=number or 0, **who.conversation_scope()).first()
        if found is None:
            errors["conversation"] = translate(request, language, PROBLEMS["conversation"])
        else:
            facts = await facts_of_conversation(found, timezone)
            subject = translate(request, language, "Conversation #{number}", number=found.id)
    else:
        at = _moment(form["at"], zone)
        earlier = number_in(form["earlier"] or "0", 0, 10000)
        if at is None:
            errors["at"] = translate(request, language, PROBLEMS["at"])
        if earlier is None:
            errors["earlier"] = translate(request, language, PROBLEMS["earlier"])
        if at is not None and earlier is not None:
            sample = Sample(
                text=form["text"],
                at=at,
                channel=form["channel"],
                entry_point=form["entry_point"],
                line=form["line"],
                contact_name=form["contact_name"],
                tags=tuple(t.strip() for t in form["tags"].split(",") if t.strip()),
                language=form["language"] or None,
                first_message=form["first_message"],
                earlier_conversations=earlier,
            )
            facts = await facts_of_sample(sample, timezone)
            subject = ""
    if errors:
        return await _page(request, form, errors=errors, status=400)
    verdicts = await dry_run(RuleKind.INCOMING, facts)
    rows = await Rule.filter(kind=RuleKind.INCOMING).values_list("conditions", "actions")
    names = await operator_names([r for c, a in rows for r in operator_refs(c, a)])
    results = [
        {
            "verdict": verdict,
            "conditions": [(shown(item, names), holds) for item, holds in verdict.conditions],
        }
        for verdict in verdicts
    ]
    return await _page(request, form, results=results, facts=facts, subject=subject)
