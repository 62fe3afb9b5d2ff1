"""One rule's form. It works without JavaScript: "Add a condition", "Add an action", a
row's "Remove" and "Update the choices" re-draw the form from what was posted, each row's
input fitted to its name and the rule's kind; "Save" goes through `bot.rules.store`, whose
refusals stand next to their row in the reader's language, with nothing saved.
`static/rules_form.js` only re-draws the form by itself when a row's name or the kind
changes."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from admin_web.access import ADMIN, Viewer
from admin_web.i18n import say
from admin_web.pages import render
from admin_web.rule_rows import (
    ACTION_LABELS,
    CONDITION_LABELS,
    KEYS,
    RULE_ACTIONS,
    Choices,
    Row,
    action_row,
    condition_row,
    control,
    keep_secrets,
    operator_refs,
    options,
    read_rows,
    stored,
)
from admin_web.views.rules import actor, announce, reader, rule_or_404, webhooks
from bot.directory import DirectoryError
from bot.directory.checks import parse_operator_ref
from bot.rules import conditions
from bot.rules.store import create_rule, update_rule
from storage.models import EntryPoint, Line, Operator, QuickReply, Rule, RuleKind

routes = web.RouteTableDef()
WHERE = re.compile(r"(conditions|actions)\[(\d+)\]")
REDRAW = ("add_condition", "add_action", "remove", "redraw")


async def _choices() -> Choices:
    return Choices(
        lines=[(line.slug, line.name) for line in await Line.all().order_by("name")],
        entry_points=[
            (e.key, f"{e.name} ({e.channel})") for e in await EntryPoint.all().order_by("name")
        ],
        operators=[(str(o.id), o.name) for o in await Operator.all().order_by("name")],
        quick_replies=[
            (q.name, q.name) for q in await QuickReply.filter(scope="global").order_by("name")
        ],
    )


async def _numbers(refs: list[str]) -> dict[str, str]:
    """Operator references as written (`@olga`) -> the operator's number, as the form's
    lists name operators."""
    found = {}
    for ref in set(refs):
        try:
            operator = await Operator.filter(**parse_operator_ref(ref)).first()
        except DirectoryError:
            operator = None
        if operator is not None:
            found[ref] = str(operator.id)
    return found


async def _form_of(rule: Rule) -> dict[str, Any]:
    numbers = await _numbers(operator_refs(rule.conditions, rule.actions))
    return {
        "name": rule.name,
        "kind": rule.kind.value,
        "match": rule.match,
        "enabled": rule.enabled,
        "stop": rule.stop,
        "conditions": [condition_row(item, numbers) for item in rule.conditions],
        "actions": [action_row(item, numbers) for item in rule.actions],
    }


def _blank(kind: str) -> dict[str, Any]:
    kind = kind if kind in tuple(RuleKind) else RuleKind.INCOMING.value
    first = Row("event", values=["new_conversation"]) if kind == "incoming" else Row()
    return {
        "name": "",
        "kind": kind,
        "match": "all",
        "enabled": True,
        "stop": False,
        "conditions": [first],
        "actions": [Row()],
    }


async def _page(
    request: web.Request,
    who: Viewer,
    form: dict[str, Any],
    *,
    rule: Rule | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    kind = RuleKind(form["kind"]) if form["kind"] in tuple(RuleKind) else RuleKind.INCOMING
    desk = await _choices()

    def draw(row: Row, action: bool) -> dict[str, Any]:
        return {
            "row": row,
            "control": control(row.name, action) if row.name else "",
            "options": options(row.name, action, kind, desk),
            "keys": KEYS.get(row.name, ()),
        }

    context = {
        "rule": rule,
        "form": form,
        "conditions": [draw(row, False) for row in form["conditions"]],
        "actions": [draw(row, True) for row in form["actions"]],
        "condition_names": conditions.names_for(kind),
        "condition_labels": CONDITION_LABELS,
        "action_names": RULE_ACTIONS,
        "action_labels": ACTION_LABELS,
        "errors": errors or {},
        "read_only": who.role != ADMIN,
        "saved": request.query.get("saved") == "1",
    }
    return render("rules_form.html", request, context, status=status)


async def _read(request: web.Request) -> tuple[dict[str, Any], str]:
    """(the form as posted, the button that sent it: one of REDRAW or "save")."""
    data = await request.post()
    form = {
        "name": str(data.get("name", "")).strip(),
        "kind": str(data.get("kind", "")),
        "match": str(data.get("match", "all")),
        "enabled": data.get("enabled") == "on",
        "stop": data.get("stop") == "on",
        "conditions": read_rows(data, "c"),
        "actions": read_rows(data, "a"),
    }
    pressed = next((b for b in REDRAW if b in data), "save")
    if pressed == "add_condition":
        form["conditions"].append(Row())
    elif pressed == "add_action":
        form["actions"].append(Row())
    elif pressed == "remove":
        which = str(data.get("remove", ""))
        rows = form["conditions"] if which.startswith("c") else form["actions"]
        index = which[1:]
        if index.isascii() and index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
    return form, pressed


async def _save(request: web.Request, form: dict[str, Any], rule: Rule | None) -> dict[str, str]:
    """Refusals by field (`name`, `c0`, `a1`, `form`), or nothing when it was saved."""
    rule_conditions, condition_rows = stored(form["conditions"], action=False)
    rule_actions, action_rows = stored(form["actions"], action=True)
    keep_secrets(rule_actions, rule.actions if rule else [])
    values = {
        "name": form["name"],
        "kind": form["kind"],
        "match": form["match"],
        "enabled": form["enabled"],
        "stop": form["stop"],
        "conditions": rule_conditions,
        "actions": rule_actions,
    }
    try:
        if rule is None:
            rule = await create_rule(values, **await actor(request), **webhooks(request))
        else:
            await update_rule(rule.id, values, **await actor(request), **webhooks(request))
    except DirectoryError as error:
        return {_field(error.field, condition_rows, action_rows): say(request, error.text)}
    await announce(request)
    raise web.HTTPSeeOther(f"/admin/rules/{rule.id}?saved=1")


def _field(where: str | None, condition_rows: list[int], action_rows: list[int]) -> str:
    """`conditions[2].text_matches` -> `c3` when the third stored condition is the fourth row."""
    found = WHERE.match(where or "")
    if found:
        index = int(found.group(2))
        rows, prefix = (
            (condition_rows, "c") if found.group(1) == "conditions" else (action_rows, "a")
        )
        return f"{prefix}{rows[index]}" if index < len(rows) else "form"
    return where if where in ("name", "kind", "match", "actions") else "form"


@routes.get("/rules/new", name="rule_new")
async def rule_new(request: web.Request) -> web.StreamResponse:
    who = reader(request)
    who.require(ADMIN)
    return await _page(request, who, _blank(request.query.get("kind", "")))


@routes.post("/rules", name="rule_create")
async def rule_create(request: web.Request) -> web.StreamResponse:
    who = reader(request)
    who.require(ADMIN)
    form, pressed = await _read(request)
    if pressed != "save":
        return await _page(request, who, form)
    errors = await _save(request, form, None)
    return await _page(request, who, form, errors=errors, status=400)


@routes.get(r"/rules/{id:\d+}", name="rule")
async def rule_page(request: web.Request) -> web.StreamResponse:
    who = reader(request)
    rule = await rule_or_404(request)
    return await _page(request, who, await _form_of(rule), rule=rule)


@routes.post(r"/rules/{id:\d+}", name="rule_update")
async def rule_update(request: web.Request) -> web.StreamResponse:
    who = reader(request)
    who.require(ADMIN)
    rule = await rule_or_404(request)
    form, pressed = await _read(request)
    if pressed != "save":
        return await _page(request, who, form, rule=rule)
    errors = await _save(request, form, rule)
    return await _page(request, who, form, rule=rule, errors=errors, status=400)
