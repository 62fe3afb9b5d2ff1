"""The rules' two ordered lists: order, enable, delete, and rules made from the templates.

Admins change rules; supervisors read them (a rule acts on their lines' conversations, and
the dry run tells them why); operators get a 403. Every change goes through
`bot.rules.store` (checked, audited) and then reloads the rules of every running desk.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.access import ADMIN, SUPERVISOR, Viewer, viewer
from admin_web.i18n import panel_language, say, translate
from admin_web.pages import render
from admin_web.params import id_or_404
from admin_web.rule_rows import operator_refs, shown
from admin_web.state import core_of
from admin_web.views.lines import actor_name, actor_of
from bot.base.i18n import _
from bot.directory import DirectoryError
from bot.directory.checks import parse_operator_ref
from bot.rules import templates
from bot.rules.store import create_rule, move_rule, remove_rule, set_enabled
from storage.models import Line, Operator, Rule, RuleKind

routes = web.RouteTableDef()
LIST = "/admin/rules"
KIND_TITLES = {
    RuleKind.INCOMING: _("Rules for incoming messages"),
    RuleKind.CHANGED: _("Rules for changed conversations"),
}
TEMPLATE_TITLES = {
    "calls_operator_reopens_closed": _(
        "A calls operator reopens a closed chat: the chat operator takes it"
    ),
    "calls_operator_writes_to_waiting": _(
        "A calls operator writes into a waiting or open chat: finish it for the chat operator"
    ),
    "calls_operator_became_assignee": _(
        "A calls operator becomes the assignee: finish it for the chat operator"
    ),
    "keep_reactivated_with_chat_assignee": _(
        "A waiting chat the customer wakes stays with the chat operator"
    ),
}
BLANKS = {
    "line": _("Choose the line of the operators who seldom work in chats."),
    "operator": _("Choose the chat operator who takes over."),
}


def reader(request: web.Request) -> Viewer:
    who = viewer(request)
    who.require(ADMIN, SUPERVISOR)
    return who


def editor(request: web.Request) -> Viewer:
    who = viewer(request)
    who.require(ADMIN)
    return who


async def announce(request: web.Request) -> None:
    """After the change committed: this desk at once, the others at their next refresh."""
    await core_of(request).rules.book.announce()


async def actor(request: web.Request) -> dict[str, Any]:
    return {"actor_name": actor_name(request), "actor": await actor_of(request)}


def webhooks(request: web.Request) -> dict[str, bool]:
    """What saving a rule needs to know of the desk's webhook policy."""
    return {"allow_private": core_of(request).settings.webhook_allow_private}


async def rule_or_404(request: web.Request) -> Rule:
    rule = await Rule.get_or_none(id=id_or_404(request))
    if rule is None:
        raise web.HTTPNotFound()
    return rule


async def operator_names(refs: list[str]) -> dict[str, str]:
    """Operator references as written -> the operators' names (a dangling one is left out)."""
    names = {}
    for ref in set(refs):
        try:
            found = await Operator.filter(**parse_operator_ref(ref)).first()
        except DirectoryError:
            found = None
        if found is not None:
            names[ref] = found.name
    return names


# --- the lists ----------------------------------------------------------------------------------


@routes.get("/rules", name="rules")
async def rule_list(request: web.Request) -> web.StreamResponse:
    reader(request)
    rows = await Rule.all().order_by("kind", "position", "id")
    refs = [r for rule in rows for r in operator_refs(rule.conditions, rule.actions)]
    names = await operator_names(refs)
    lists = {
        kind: [
            {
                "rule": rule,
                "conditions": [shown(item, names) for item in rule.conditions],
                "actions": [shown(item, names) for item in rule.actions],
            }
            for rule in rows
            if rule.kind == kind
        ]
        for kind in RuleKind
    }
    context = {
        "lists": lists,
        "kind_titles": KIND_TITLES,
        "done": request.query.get("done", "")[:16],
    }
    return render("rules.html", request, context)


@routes.post(r"/rules/{id:\d+}/enabled", name="rule_enabled")
async def rule_enabled(request: web.Request) -> web.StreamResponse:
    editor(request)
    rule = await rule_or_404(request)
    enabled = (await request.post()).get("enabled") == "1"
    await set_enabled(rule.id, enabled, **await actor(request))
    await announce(request)
    raise web.HTTPSeeOther(f"{LIST}?done={'enabled' if enabled else 'disabled'}#rule-{rule.id}")


@routes.post(r"/rules/{id:\d+}/move", name="rule_move")
async def rule_move(request: web.Request) -> web.StreamResponse:
    editor(request)
    rule = await rule_or_404(request)
    step = -1 if (await request.post()).get("direction") == "up" else 1
    await move_rule(rule.id, step, **await actor(request))
    await announce(request)
    raise web.HTTPSeeOther(f"{LIST}?done=moved#rule-{rule.id}")


@routes.get(r"/rules/{id:\d+}/delete", name="rule_delete_confirm")
async def rule_delete_confirm(request: web.Request) -> web.StreamResponse:
    editor(request)
    rule = await rule_or_404(request)
    return render("rules_delete.html", request, {"rule": rule})


@routes.post(r"/rules/{id:\d+}/delete", name="rule_delete")
async def rule_delete(request: web.Request) -> web.StreamResponse:
    editor(request)
    rule = await rule_or_404(request)
    await remove_rule(rule.id, **await actor(request))
    await announce(request)
    raise web.HTTPSeeOther(f"{LIST}?done=deleted")


# --- templates ----------------------------------------------------------------------------------


async def _template_page(
    request: web.Request,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "templates": TEMPLATE_TITLES,
        "form": form,
        "errors": errors or {},
        "lines": await Line.all().order_by("name"),
        "operators": await Operator.all().order_by("name"),
    }
    return render("rules_templates.html", request, context, status=status)


@routes.get("/rules/templates", name="rule_templates")
async def rule_templates(request: web.Request) -> web.StreamResponse:
    editor(request)
    return await _template_page(request, {"template": request.query.get("template", "")[:64]})


@routes.post("/rules/templates", name="rule_from_template")
async def rule_from_template(request: web.Request) -> web.StreamResponse:
    """The template's blanks are a line (its slug) and an operator (their number)."""
    editor(request)
    data = await request.post()
    form = {k: str(data.get(k, "")).strip()[:128] for k in ("template", "line", "operator")}
    if form["template"] not in templates.TEMPLATES:
        raise web.HTTPBadRequest(text="no such template")
    language = panel_language(request)
    errors = {k: translate(request, language, text) for k, text in BLANKS.items() if not form[k]}
    if errors:
        return await _template_page(request, form, errors, status=400)
    values = templates.fill(
        form["template"], calls_line=form["line"], chat_operator=form["operator"]
    )
    try:
        rule = await create_rule(values, **await actor(request), **webhooks(request))
    except DirectoryError as error:
        return await _template_page(request, form, {"form": say(request, error.text)}, 400)
    await announce(request)
    raise web.HTTPSeeOther(f"/admin/rules/{rule.id}?saved=1")
