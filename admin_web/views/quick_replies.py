"""Quick replies: what `/q` offers in every workspace, kept here by admins and supervisors.

Saving goes through `bot.directory.quick_replies`, so the panel and the file import share
their checks and audit; the preview fills placeholders with the function of
`bot.conversations.quick_reply_texts`, so what an author sees is what a customer will read.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tortoise.expressions import Q

from admin_web.access import ADMIN, SUPERVISOR, Viewer, viewer
from admin_web.i18n import panel_language, say, translate
from admin_web.pages import render
from admin_web.params import id_or_404, optional_id
from bot.base.i18n import LANGUAGES, _
from bot.conversations import quick_reply_texts as quick_replies
from bot.directory import DirectoryError
from bot.directory.quick_replies import (
    DuplicateName,
    create_quick_reply,
    problems_of,
    remove_quick_reply,
    update_quick_reply,
)
from storage.models import Line, Operator, QuickReply

routes = web.RouteTableDef()
SCOPES = ("global", "line", "personal")
LIST = "/admin/quick-replies"

FIELD_PROBLEMS = {
    "name": _("One word of letters, digits, - and _, without spaces (for example delivery-time)."),
    "scope": _("Choose who may use this reply."),
    "line": _("Choose the line."),
    "operator": _("Choose the operator."),
    "texts": _("Write the text in at least one language."),
}
DUPLICATE = _("There is already a quick reply with this shortcut here.")
# Each language in its own words: the one who writes that text reads it.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}


# --- who may do what ----------------------------------------------------------------------------


def _manager(request: web.Request) -> Viewer:
    """Operators use `/q` in their chat; these pages are for the people who write the replies."""
    who = viewer(request)
    who.require(ADMIN, SUPERVISOR)
    return who


def _may_change(who: Viewer, scope: str, line_id: int | None, operator_id: int | None) -> bool:
    """Admins everything; supervisors their lines' replies and their own."""
    if who.role == ADMIN:
        return True
    if scope == "line":
        return line_id is not None and who.sees_line(line_id)
    if scope == "personal":
        return operator_id is not None and operator_id == who.operator_id
    return False


def _may_edit(who: Viewer, reply: QuickReply) -> bool:
    return _may_change(
        who,
        reply.scope,
        reply.line_id,  # type: ignore[attr-defined]
        reply.operator_id,  # type: ignore[attr-defined]
    )


def _may_see(who: Viewer, reply: QuickReply) -> bool:
    """Global replies are offered to everyone, so everyone who manages replies may read them."""
    return reply.scope == "global" or _may_edit(who, reply)


def _scopes(who: Viewer) -> list[str]:
    if who.role == ADMIN:
        return list(SCOPES)
    return [
        scope
        for scope, possible in (("line", bool(who.line_ids)), ("personal", bool(who.operator_id)))
        if possible
    ]


async def _lines(who: Viewer) -> list[Line]:
    query = Line.all() if who.line_ids is None else Line.filter(id__in=sorted(who.line_ids))
    return await query.order_by("name")


async def _operators(who: Viewer) -> list[Operator]:
    if who.role == ADMIN:
        return await Operator.all().order_by("name")
    return await Operator.filter(id=who.operator_id or 0)


async def _own_operator(who: Viewer) -> Operator | None:
    return await Operator.get_or_none(id=who.operator_id) if who.operator_id else None


async def _reply(request: web.Request, who: Viewer) -> QuickReply:
    reply = await QuickReply.get_or_none(id=id_or_404(request)).prefetch_related("line", "operator")
    if reply is None:
        raise web.HTTPNotFound()
    if not _may_see(who, reply):
        raise web.HTTPForbidden(text="forbidden")
    return reply


# --- the list -----------------------------------------------------------------------------------


async def _visible_rows(who: Viewer) -> list[QuickReply]:
    query = QuickReply.all()
    if who.role != ADMIN:
        query = QuickReply.filter(
            Q(scope="global")
            | Q(scope="line", line_id__in=sorted(who.line_ids or ()) or [0])
            | Q(scope="personal", operator_id=who.operator_id or 0)
        )
    return await query.prefetch_related("line", "operator")


@routes.get("/quick-replies", name="quick_replies")
async def quick_reply_list(request: web.Request) -> web.StreamResponse:
    who = _manager(request)
    rows = await _visible_rows(who)
    words = request.query.get("q", "").strip()[:200]
    scope = request.query.get("scope", "")
    scope = scope if scope in SCOPES else ""
    line_id = optional_id(request.query.get("line"))
    if words:
        rows = quick_replies.search(rows, words)  # the same matching as `/q words`
    if scope:
        rows = [r for r in rows if r.scope == scope]
    if line_id is not None:
        rows = [r for r in rows if r.line_id == line_id]  # type: ignore[attr-defined]
    rows.sort(key=lambda r: (r.name.casefold(), quick_replies.SCOPE_RANK[r.scope], r.id))
    return render(
        "quick_replies.html",
        request,
        {
            "rows": [(r, _may_edit(who, r)) for r in rows],
            "words": words,
            "scope": scope,
            "line_id": line_id,
            "lines": await _lines(who),
            "may_create": bool(_scopes(who)),
            "deleted": request.query.get("deleted") == "1",
        },
    )


# --- one reply ----------------------------------------------------------------------------------


def _blank(who: Viewer) -> dict[str, Any]:
    scopes = _scopes(who)
    return {
        "name": "",
        "scope": scopes[0] if scopes else "global",
        "line_id": next(iter(sorted(who.line_ids or ())), None),
        "operator_id": who.operator_id,
        "texts": {},
    }


def _of(reply: QuickReply) -> dict[str, Any]:
    return {
        "name": reply.name,
        "scope": reply.scope,
        "line_id": reply.line_id,  # type: ignore[attr-defined]
        "operator_id": reply.operator_id,  # type: ignore[attr-defined]
        "texts": {k: v for k, v in reply.texts.items() if isinstance(v, str)},
    }


async def _page(
    request: web.Request,
    who: Viewer,
    form: dict[str, Any],
    *,
    reply: QuickReply | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    own = await _own_operator(who)
    read_only = reply is not None and not _may_edit(who, reply)
    return render(
        "quick_replies_form.html",
        request,
        {
            "reply": reply,
            "form": form,
            "errors": errors or {},
            "read_only": read_only,
            "scopes": _scopes(who),
            "lines": await _lines(who),
            "operators": await _operators(who),
            "previews": {
                lang: quick_replies.preview(form["texts"].get(lang, ""), own.name if own else None)
                for lang in LANGUAGES
            },
            "placeholders": quick_replies.PLACEHOLDERS,
            "language_names": LANGUAGE_NAMES,
            "saved": request.query.get("saved") == "1",
        },
        status=status,
    )


async def _read_form(request: web.Request, who: Viewer) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what to show again in the form, the values the directory checks). Asks for a 403
    before anything is checked when the viewer may not write a reply there at all."""
    data = await request.post()

    def number(key: str) -> int | None:
        return optional_id(str(data.get(key, "")))

    form: dict[str, Any] = {
        "name": str(data.get("name", "")).strip(),
        "scope": str(data.get("scope", "")),
        "line_id": number("line"),
        "operator_id": number("operator") if who.role == ADMIN else who.operator_id,
        "texts": {
            lang: str(data.get(f"text_{lang}", "")).replace("\r\n", "\n").strip()
            for lang in LANGUAGES
        },
    }
    values: dict[str, Any] = {
        "name": form["name"],
        "scope": form["scope"],
        "texts": {lang: text for lang, text in form["texts"].items() if text},
    }
    scope = form["scope"]
    if scope in SCOPES and scope not in _scopes(who):
        raise web.HTTPForbidden(text="forbidden")
    if scope == "line":
        line = await Line.get_or_none(id=form["line_id"]) if form["line_id"] else None
        if line is not None and not who.sees_line(line.id):
            raise web.HTTPForbidden(text="forbidden")
        values["line"] = line.slug if line else None
    if scope == "personal":
        operator = await Operator.get_or_none(id=form["operator_id"] or 0)
        values["operator"] = str(operator.id) if operator else None
    return form, values


def _messages(request: web.Request, problems: dict[str, DirectoryError]) -> dict[str, str]:
    """Field -> what to do, in the viewer's language. A problem no field explains (a line
    removed meanwhile) is said as the directory said it."""
    lang = panel_language(request)
    messages = {}
    for field, problem in problems.items():
        if isinstance(problem, DuplicateName):
            messages[field] = translate(request, lang, DUPLICATE)
        elif field in FIELD_PROBLEMS:
            messages[field] = translate(request, lang, FIELD_PROBLEMS[field])
        else:
            messages["form"] = say(request, problem.text)
    return messages


async def _actor(who: Viewer) -> dict[str, Any]:
    return {"actor_name": f"web:{who.account.username}", "actor": await _own_operator(who)}


@routes.get("/quick-replies/new", name="quick_reply_new")
async def quick_reply_new(request: web.Request) -> web.StreamResponse:
    who = _manager(request)
    if not _scopes(who):
        raise web.HTTPForbidden(text="forbidden")
    return await _page(request, who, _blank(who))


@routes.post("/quick-replies", name="quick_reply_create")
async def quick_reply_create(request: web.Request) -> web.StreamResponse:
    who = _manager(request)
    form, values = await _read_form(request, who)
    problems = problems_of(values)
    if not problems:
        try:
            reply = await create_quick_reply(values, **await _actor(who))
        except DirectoryError as error:
            problems = {error.field or "": error}
        else:
            raise web.HTTPFound(f"{LIST}/{reply.id}?saved=1")
    return await _page(request, who, form, errors=_messages(request, problems), status=400)


@routes.get(r"/quick-replies/{id:\d+}", name="quick_reply")
async def quick_reply_page(request: web.Request) -> web.StreamResponse:
    who = _manager(request)
    reply = await _reply(request, who)
    return await _page(request, who, _of(reply), reply=reply)


@routes.post(r"/quick-replies/{id:\d+}", name="quick_reply_update")
async def quick_reply_update(request: web.Request) -> web.StreamResponse:
    who = _manager(request)
    reply = await _reply(request, who)
    if not _may_edit(who, reply):
        raise web.HTTPForbidden(text="forbidden")
    form, values = await _read_form(request, who)
    problems = problems_of(values)
    if not problems:
        try:
            await update_quick_reply(reply.id, values, **await _actor(who))
        except DirectoryError as error:
            problems = {error.field or "": error}
        else:
            raise web.HTTPFound(f"{LIST}/{reply.id}?saved=1")
    messages = _messages(request, problems)
    return await _page(request, who, form, reply=reply, errors=messages, status=400)


@routes.post(r"/quick-replies/{id:\d+}/delete", name="quick_reply_delete")
async def quick_reply_delete(request: web.Request) -> web.StreamResponse:
    who = _manager(request)
    reply = await _reply(request, who)
    if not _may_edit(who, reply):
        raise web.HTTPForbidden(text="forbidden")
    await remove_quick_reply(reply.id, **await _actor(who))
    raise web.HTTPFound(f"{LIST}?deleted=1")


@routes.post("/quick-replies/preview", name="quick_reply_preview")
async def quick_reply_preview(request: web.Request) -> web.StreamResponse:
    """The text filled with sample values, for the form's live preview (fetched as it is typed;
    the page puts it in with textContent)."""
    who = _manager(request)
    data = await request.post()
    text = str(data.get("text", "")).replace("\r\n", "\n")[:20000]
    own = await _own_operator(who)
    return web.json_response({"text": quick_replies.preview(text, own.name if own else None)})
