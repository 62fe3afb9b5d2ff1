"""Lines and their members. Admins create and change lines; a supervisor sees the lines they
work in and manages who works there. Every check and change is `bot.directory`'s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from admin_web.access import ADMIN, SUPERVISOR, viewer
from admin_web.i18n import panel_language, say
from admin_web.pages import render
from admin_web.params import id_or_404, optional_id
from admin_web.state import core_of
from bot.base import bounds
from bot.base.i18n import _
from bot.conversations import assignment
from bot.directory import DirectoryError
from bot.directory.business_hours import DAY_PROBLEM, DAYS, UNKNOWN_ZONE, validate_hours
from bot.directory.checks import (
    NUMBER_RANGES,
    REPLY_MODES,
    ROUTING_POLICIES,
    check_line,
    check_slug,
)
from bot.directory.lines import create_line, list_lines, remove_line, update_line
from bot.directory.members import add_member, list_members, remove_member
from storage.models import Line, Operator

routes = web.RouteTableDef()

FORM = "_form"  # the key of an error that belongs to no single field
MESSAGES = ("greeting", "out_of_hours_message", "closing_message")
NUMBER_PROBLEM = _("Write a whole number from {low} to {high}.")


# --- shared with the operators' pages ----------------------------------------------------------


def translated(request: web.Request, msgid: str, **args: Any) -> str:
    return core_of(request).translator.gettext(panel_language(request), msgid, **args)


def field_problem(request: web.Request, error: DirectoryError, name: str) -> str:
    """What is wrong with one field: a number field says its range in the viewer's language,
    the rest as the directory says it."""
    if name in NUMBER_RANGES and error.field == name:
        low, high = NUMBER_RANGES[name]
        return translated(request, NUMBER_PROBLEM, low=low, high=high)
    return say(request, error.text)


def actor_name(request: web.Request) -> str:
    return f"web:{viewer(request).account.username}"


async def actor_of(request: web.Request) -> Operator | None:
    """The operator behind the signed-in account, when it has one."""
    operator_id = viewer(request).operator_id
    return await Operator.get_or_none(id=operator_id) if operator_id else None


def whole_number(text: str) -> int | str | None:
    """A number typed in a form; anything else goes on as typed for the directory to explain
    (the directory also says when the number is too large)."""
    text = text.strip()
    if not text:
        return None
    number = bounds.whole_number(text)
    return text if number is None else number


def text_of(form: MultiDictProxy[Any], name: str) -> str:
    return str(form.get(name) or "").replace("\r\n", "\n")


# --- the form ----------------------------------------------------------------------------------


def form_of(line: Line) -> dict[str, Any]:
    """A stored line as the form shows it."""
    hours = line.business_hours or {}
    days = hours.get("days") or {}
    return {
        "slug": line.slug,
        "name": line.name,
        "workspace": f"{line.workspace_kind}:{line.workspace_chat}",
        "reply_mode": line.reply_mode,
        "routing_policy": str(line.routing_policy.value),
        "timezone": hours.get("timezone") or "",
        **{f"day_{day}": days.get(day) or "" for day in DAYS},
        **{name: getattr(line, name) or "" for name in MESSAGES},
        "topics": "\n".join(line.topics or []),
        "csat_enabled": line.csat_enabled,
        "suggestions": line.suggestions,
        "auto_close_minutes": "" if line.auto_close_minutes is None else line.auto_close_minutes,
    }


def blank_form() -> dict[str, Any]:
    return {
        "slug": "",
        "name": "",
        "workspace": "",
        "reply_mode": REPLY_MODES[0],
        "routing_policy": ROUTING_POLICIES[0],
        "timezone": "",
        **{f"day_{day}": "" for day in DAYS},
        **{name: "" for name in MESSAGES},
        "topics": "",
        "csat_enabled": True,
        "suggestions": False,
        "auto_close_minutes": "",
    }


def read_form(form: MultiDictProxy[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what was typed, to show again; the directory's settings of the line)."""
    typed: dict[str, Any] = {
        name: text_of(form, name).strip()
        for name in ("slug", "name", "workspace", "reply_mode", "routing_policy", "timezone")
    }
    typed |= {f"day_{day}": text_of(form, f"day_{day}").strip() for day in DAYS}
    typed |= {name: text_of(form, name) for name in (*MESSAGES, "topics")}
    typed["csat_enabled"] = bool(form.get("csat_enabled"))
    typed["suggestions"] = bool(form.get("suggestions"))
    typed["auto_close_minutes"] = text_of(form, "auto_close_minutes").strip()
    days = {day: typed[f"day_{day}"] for day in DAYS if typed[f"day_{day}"]}  # missing: closed
    hours: dict[str, Any] | None = None
    if days:  # no day at all: no business hours, always open
        hours = {"days": days} | ({"timezone": typed["timezone"]} if typed["timezone"] else {})
    values = {
        "name": typed["name"],
        "workspace": typed["workspace"],
        "reply_mode": typed["reply_mode"],
        "routing_policy": typed["routing_policy"],
        "business_hours": hours,
        **{name: typed[name].strip() for name in MESSAGES},
        "topics": [t.strip() for t in typed["topics"].splitlines() if t.strip()],
        "csat_enabled": typed["csat_enabled"],
        "suggestions": typed["suggestions"],
        "auto_close_minutes": whole_number(typed["auto_close_minutes"]),
    }
    return typed, values


def problems(request: web.Request, values: Mapping[str, Any], slug: str | None) -> dict[str, str]:
    """Every problem at once, each next to its field; the directory checks one by one."""
    errors: dict[str, str] = {}
    if slug is not None:
        try:
            check_slug(slug)
        except DirectoryError as error:
            errors["slug"] = say(request, error.text)
    for name, value in values.items():
        if name == "business_hours":
            continue
        try:
            check_line({name: value}, new=False)
        except DirectoryError as error:
            errors[error.field or FORM] = field_problem(request, error, name)
    for problem in validate_hours(values.get("business_hours")):
        day = problem.args.get("day")
        if problem.msgid == DAY_PROBLEM and day in DAYS:
            errors.setdefault(f"day_{day}", say(request, problem.args["problem"]))
        elif problem.msgid == UNKNOWN_ZONE:
            errors.setdefault("timezone", say(request, problem))
        else:
            errors.setdefault("business_hours", say(request, problem))
    return errors


# --- pages -------------------------------------------------------------------------------------


async def line_or_404(request: web.Request) -> Line:
    line = await Line.get_or_none(id=id_or_404(request, "line_id"))
    if line is None:
        raise web.HTTPNotFound()
    viewer(request).require_line(line.id)
    return line


async def line_page(
    request: web.Request,
    line: Line,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    member_error: str | None = None,
    status: int = 200,
) -> web.Response:
    members = await list_members(line.slug)
    loads = await assignment.load(o.id for o in members)
    member_ids = {o.id for o in members}
    others = [o for o in await Operator.all().order_by("name", "id") if o.id not in member_ids]
    return render(
        "lines_form.html",
        request,
        {
            "line": line,
            "form": form or form_of(line),
            "errors": errors or {},
            "members": [(o, loads[o.id]) for o in members],
            "candidates": others,
            "member_error": member_error,
            "can_edit": viewer(request).role == ADMIN,
            "saved": "saved" in request.query,
            **choices(),
        },
        status=status,
    )


def choices() -> dict[str, Any]:
    return {"days": DAYS, "reply_modes": REPLY_MODES, "policies": ROUTING_POLICIES}


@routes.get("/lines", name="lines")
async def lines(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    who.require(ADMIN, SUPERVISOR)
    found = [s for s in await list_lines() if who.sees_line(s.line.id)]
    return render("lines.html", request, {"lines": found, "can_edit": who.role == ADMIN})


@routes.get("/lines/new", name="line_new")
async def line_new(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    context = {"line": None, "form": blank_form(), "errors": {}, "can_edit": True}
    return render("lines_form.html", request, context | choices())


@routes.post("/lines/new", name="line_create")
async def line_create(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    typed, values = read_form(await request.post())
    errors = problems(request, values, typed["slug"])
    if not errors:
        try:
            line = await create_line(typed["slug"], values, actor_name=actor_name(request))
        except DirectoryError as error:
            errors[error.field or FORM] = say(request, error.text)
        else:
            raise web.HTTPSeeOther(f"/admin/lines/{line.id}?saved=1")
    context = {"line": None, "form": typed, "errors": errors, "can_edit": True}
    return render("lines_form.html", request, context | choices(), status=400)


@routes.get(r"/lines/{line_id:\d+}", name="line")
async def line_view(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN, SUPERVISOR)
    return await line_page(request, await line_or_404(request))


@routes.post(r"/lines/{line_id:\d+}", name="line_update")
async def line_update(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    line = await line_or_404(request)
    typed, values = read_form(await request.post())
    typed["slug"] = line.slug
    errors = problems(request, values, None)
    if not errors:
        try:
            await update_line(line.slug, values, actor_name=actor_name(request))
        except DirectoryError as error:
            errors[error.field or FORM] = say(request, error.text)
        else:
            raise web.HTTPSeeOther(f"/admin/lines/{line.id}?saved=1")
    return await line_page(request, line, form=typed, errors=errors, status=400)


@routes.post(r"/lines/{line_id:\d+}/delete", name="line_delete")
async def line_delete(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    line = await line_or_404(request)
    try:
        await remove_line(line.slug, actor_name=actor_name(request))
    except DirectoryError as error:
        return await line_page(request, line, errors={FORM: say(request, error.text)}, status=400)
    raise web.HTTPSeeOther("/admin/lines")


@routes.post(r"/lines/{line_id:\d+}/members", name="member_add")
async def member_add(request: web.Request) -> web.StreamResponse:
    """Supervisors pick an existing operator; admins may also name a Telegram or Slack
    account, which registers a new operator as the CLI does."""
    who = viewer(request)
    who.require(ADMIN, SUPERVISOR)
    line = await line_or_404(request)
    form = await request.post()
    picked = str(form.get("operator_id") or "").strip()
    account = str(form.get("account") or "").strip()
    if account and who.role != ADMIN:
        raise web.HTTPForbidden(text="forbidden")
    if picked and optional_id(picked) is None:
        raise web.HTTPNotFound()
    ref = account or picked
    if not ref:
        text = translated(request, _("Choose an operator or write their account."))
        return await line_page(request, line, member_error=text, status=400)
    try:
        await add_member(line.slug, ref, actor_name=actor_name(request))
    except DirectoryError as error:
        return await line_page(request, line, member_error=say(request, error.text), status=400)
    raise web.HTTPSeeOther(f"/admin/lines/{line.id}#members")


@routes.post(r"/lines/{line_id:\d+}/members/{operator_id:\d+}/remove", name="member_remove")
async def member_remove(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN, SUPERVISOR)
    line = await line_or_404(request)
    operator = await Operator.get_or_none(id=id_or_404(request, "operator_id"))
    if operator is None:
        raise web.HTTPNotFound()
    try:
        await remove_member(line.slug, str(operator.id), actor_name=actor_name(request))
    except DirectoryError as error:
        return await line_page(request, line, member_error=say(request, error.text), status=400)
    raise web.HTTPSeeOther(f"/admin/lines/{line.id}#members")
