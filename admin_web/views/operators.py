"""Operators, for admins: add them by their Telegram or Slack account, set role, capacity,
language and status. A status change goes through the core, as `/status` does, so a free
operator picks up the queue at once."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy
from tortoise.transactions import in_transaction

from admin_web.access import ADMIN, viewer
from admin_web.i18n import say
from admin_web.pages import render
from admin_web.params import id_or_404
from admin_web.state import core_of
from admin_web.views.lines import (
    FORM,
    actor_name,
    actor_of,
    field_problem,
    text_of,
    whole_number,
)
from bot.base import audit
from bot.conversations import assignment
from bot.directory import DirectoryError
from bot.directory.checks import ROLES, STATUSES, check_operator
from bot.directory.operators import add_operator, list_operators, update_operator
from bot.people.accounts import MIN_PASSWORD
from storage.models import AdminAccount, Line, LineMember, Operator, OperatorStatus

routes = web.RouteTableDef()

TEXTS = ("name", "telegram_username", "slack_user_id", "role", "status", "language")
NUMBERS = ("telegram_user_id", "capacity")


def form_of(operator: Operator) -> dict[str, Any]:
    return {
        "name": operator.name,
        "telegram_user_id": operator.telegram_user_id or "",
        "telegram_username": operator.telegram_username or "",
        "slack_user_id": operator.slack_user_id or "",
        "role": operator.role,
        "capacity": operator.capacity,
        "status": operator.status,
        "language": operator.language or "",
    }


def blank_form() -> dict[str, Any]:
    fields = dict.fromkeys((*TEXTS, *NUMBERS), "")
    return fields | {"role": ROLES[0], "status": STATUSES[0], "capacity": 5}


def read_form(form: MultiDictProxy[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what was typed, to show again; the directory's settings of the operator). A field
    the form does not send is left as it is, as with `relaydesk operators set`."""
    sent = [name for name in (*TEXTS, *NUMBERS) if name in form]
    typed = {name: text_of(form, name).strip() for name in sent}
    values: dict[str, Any] = {name: typed[name] for name in sent if name in TEXTS}
    values |= {name: whole_number(typed[name]) for name in sent if name in NUMBERS}
    if "capacity" in values and values["capacity"] is None:
        values["capacity"] = ""  # a capacity is required: the directory says so
    return blank_form() | typed, values


def problems(request: web.Request, values: dict[str, Any], *, new: bool) -> dict[str, str]:
    """Every problem at once, each next to its field."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        try:
            check_operator({name: value}, new=False)
        except DirectoryError as error:
            errors[error.field or FORM] = field_problem(request, error, name)
    if new and not errors:
        try:
            check_operator(values, new=True)
        except DirectoryError as error:
            errors[error.field or FORM] = say(request, error.text)
    return errors


async def set_status(request: web.Request, operator: Operator, status: str) -> None:
    """As `/status` does: the core drains the queue to an operator who becomes free."""
    old = operator.status
    actor = await actor_of(request)
    if await core_of(request).actions.set_status(operator, OperatorStatus(status), by=actor):
        async with in_transaction():
            await audit.record(
                "operator.updated",
                at=core_of(request).clock.now(),
                actor=actor,
                actor_name=actor_name(request),
                operator=operator,
                new="status",
                changes={"status": [old, status]},
            )


async def operator_or_404(request: web.Request) -> Operator:
    operator = await Operator.get_or_none(id=id_or_404(request, "operator_id"))
    if operator is None:
        raise web.HTTPNotFound()
    return operator


async def operator_page(
    request: web.Request,
    operator: Operator | None,
    form: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    sign_in: dict[str, Any] | None = None,
) -> web.Response:
    """`sign_in`: the state of the "Panel sign-in" forms (views.accounts) after a refusal."""
    lines: list[Line] = []
    load = 0
    accounts: list[AdminAccount] = []
    if operator is not None:
        ids = await LineMember.filter(operator_id=operator.id).values_list("line_id", flat=True)
        lines = await Line.filter(id__in=list(ids)).order_by("slug")
        load = (await assignment.load([operator.id]))[operator.id]
        accounts = await AdminAccount.filter(operator_id=operator.id).order_by("id")
    zone = ZoneInfo(core_of(request).settings.timezone)
    new_account = {"username": "", "language": (operator and operator.language) or "en"}
    context = {
        "accounts": accounts,
        "last_sign_in": {
            a.id: a.last_login_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            for a in accounts
            if a.last_login_at
        },
        "sign_in": {"target": None, "errors": {}, "form": new_account} | (sign_in or {}),
        "min_password": MIN_PASSWORD,
        "sign_in_saved": "signed" in request.query,
        "operator": operator,
        "form": form,
        "errors": errors or {},
        "lines": lines,
        "load": load,
        "roles": ROLES,
        "statuses": STATUSES,
        "saved": "saved" in request.query,
    }
    return render("operators_form.html", request, context, status=status)


@routes.get("/operators", name="operators")
async def operators(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    summaries = await list_operators()
    loads = await assignment.load(s.operator.id for s in summaries)
    rows = [(s.operator, s.lines, loads[s.operator.id]) for s in summaries]
    return render("operators.html", request, {"operators": rows})


@routes.get("/operators/new", name="operator_new")
async def operator_new(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    return await operator_page(request, None, blank_form())


@routes.post("/operators/new", name="operator_create")
async def operator_create(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    typed, values = read_form(await request.post())
    errors = problems(request, values, new=True)
    if not errors:
        status = values.pop("status", None)
        try:
            operator = await add_operator(values, actor_name=actor_name(request))
        except DirectoryError as error:
            errors[error.field or FORM] = say(request, error.text)
        else:
            if status is not None and status != operator.status:
                await set_status(request, operator, status)
            raise web.HTTPSeeOther(f"/admin/operators/{operator.id}?saved=1")
    return await operator_page(request, None, typed, errors, status=400)


@routes.get(r"/operators/{operator_id:\d+}", name="operator")
async def operator_view(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    operator = await operator_or_404(request)
    return await operator_page(request, operator, form_of(operator))


@routes.post(r"/operators/{operator_id:\d+}", name="operator_update")
async def operator_update(request: web.Request) -> web.StreamResponse:
    viewer(request).require(ADMIN)
    operator = await operator_or_404(request)
    typed, values = read_form(await request.post())
    errors = problems(request, values, new=False)
    if not errors:
        status = values.pop("status", None)
        try:
            operator, _ = await update_operator(
                str(operator.id), values, actor_name=actor_name(request)
            )
        except DirectoryError as error:
            errors[error.field or FORM] = say(request, error.text)
        else:
            if status is not None and status != operator.status:
                await set_status(request, operator, status)
            raise web.HTTPSeeOther(f"/admin/operators/{operator.id}?saved=1")
    return await operator_page(request, operator, typed, errors, status=400)
