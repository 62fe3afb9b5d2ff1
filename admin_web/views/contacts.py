"""The address book: finding a contact, its card with the history across channels, and
editing, merging and banning it through `bot.people.contacts` — the service behind the chat's
/contact, /link and /ban, so the panel refuses what the chat refuses, in the same words.

Admins see every contact, supervisors those with a conversation in one of their lines
(`bot.people.contact_visibility`, the rule /link and /history follow too); operators have
/contact in their chat and no address book here."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from admin_web.access import ADMIN, SUPERVISOR, Viewer, viewer
from admin_web.i18n import panel_language
from admin_web.pages import render
from admin_web.params import id_or_404, optional_id, page_number
from admin_web.state import core_of
from bot.base.bounds import fits
from bot.base.i18n import Text, _
from bot.conversations.view import RESULT_NAMES, STATE_NAMES
from bot.people import contacts
from bot.people.contact_visibility import contacts_seen, sees_contact
from bot.people.contacts import Actor, ContactRefusal
from storage.models import Contact, Conversation, ConversationStatus, Identity, Operator

routes = web.RouteTableDef()
PAGE_SIZE = 25
MAX_QUERY = 256
MAX_REASON = 256
_PHONE_LIKE = re.compile(r"^[\d\s()+\-]+$")
NOTICES = {
    "saved": _("The contact is saved."),
    "banned": _("Customer banned: their messages will be ignored."),
    "unbanned": _("Customer unbanned: their messages reach the desk again."),
}


# -- who may see what ----------------------------------------------------------------------


def _who(request: web.Request) -> Viewer:
    who = viewer(request)
    who.require(ADMIN, SUPERVISOR)
    return who


def _visible(who: Viewer) -> QuerySet[Contact]:
    """Live contacts (not merged away) the viewer may open."""
    return contacts_seen(who.sight).filter(merged_into_id=None)


async def _contact(request: web.Request, who: Viewer, contact_id: int | None = None) -> Contact:
    """The contact of the address (404 unknown, 403 outside the viewer's lines); a merged
    contact sends the browser to the one it became a part of."""
    if contact_id is None:
        contact_id = id_or_404(request)
    found = await Contact.get_or_none(id=contact_id)
    if found is None:
        raise web.HTTPNotFound()
    if found.merged_into_id is not None:
        raise web.HTTPFound(f"/admin/contacts/{found.merged_into_id}")
    if not await sees_contact(who.sight, found):
        raise web.HTTPForbidden(text="forbidden")
    return found


async def _actor(who: Viewer) -> Actor:
    operator = await Operator.get_or_none(id=who.operator_id) if who.operator_id else None
    return Actor(operator=operator, name=f"web:{who.account.username}")


def _say(request: web.Request) -> Callable[[Text], str]:
    """Renders a service's Text in the viewer's language (jinja escapes it on the page)."""
    translator, lang = core_of(request).translator, panel_language(request)
    return lambda text: translator.render(lang, text)


# -- the address book ----------------------------------------------------------------------


def _matching(query: str) -> Q:
    """Name, email or company containing the words; a phone containing the digits; an
    identity by username, external id or channel; `#12` by number. What no column could
    hold (a 25-digit number, a channel of 17 letters) is not looked for."""
    number = query.removeprefix("#")
    if query.startswith("#") and number.isascii() and number.isdigit():
        return Q(id=optional_id(number) or 0)
    handle = query.removeprefix("@")
    same = Q(username__icontains=handle)
    if fits(Identity, "external_id", query):
        same |= Q(external_id=query)
    if fits(Identity, "channel", query.lower()):
        same |= Q(channel=query.lower())
    identities = Identity.filter(same).values("contact_id")
    found = (
        Q(name__icontains=query)
        | Q(email__icontains=query)
        | Q(company__icontains=query)
        | Q(id__in=Subquery(identities))
    )
    digits = re.sub(r"\D", "", query)
    if digits and _PHONE_LIKE.match(query):
        found |= Q(phone__contains=digits)
        if len(digits) < 10:
            found |= Q(id=optional_id(digits) or 0)
    return found


def _page_link(query: str, page: int) -> str:
    return "/admin/contacts?" + urlencode({"q": query, "page": page} if query else {"page": page})


@routes.get("/contacts", name="contacts")
async def address_book(request: web.Request) -> web.StreamResponse:
    who = _who(request)
    query = request.query.get("q", "").strip()[:MAX_QUERY]
    found = _visible(who)
    if query:
        found = found.filter(_matching(query))
    total = await found.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page_number(request.query.get("page")), pages)
    rows = (
        await found.order_by("-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .prefetch_related("identities")
    )
    return render(
        "contacts.html",
        request,
        {
            "query": query,
            "contacts": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "previous": _page_link(query, page - 1) if page > 1 else None,
            "next": _page_link(query, page + 1) if page < pages else None,
        },
    )


# -- one contact ---------------------------------------------------------------------------


def _form_of(contact: Contact) -> dict[str, str]:
    return {
        field: contacts.shown(getattr(contact, field)) or "" for field in contacts.EDITABLE_FIELDS
    }


async def _history(request: web.Request, who: Viewer, contact: Contact) -> list[dict[str, Any]]:
    """Every conversation of the contact on every channel, newest first; a number links to
    the conversation when the viewer may open it."""
    zone = ZoneInfo(core_of(request).settings.timezone)
    words = core_of(request).translator
    lang = panel_language(request)
    rows = []
    for conversation in (
        await Conversation.filter(contact_id=contact.id)
        .order_by("-id")
        .prefetch_related("line", "identity", "entry_point")
    ):
        result = RESULT_NAMES.get(conversation.result or "", conversation.result)
        rows.append(
            {
                "number": conversation.number,
                "linked": who.sees_line(conversation.line_id),  # type: ignore[attr-defined]
                "channel": conversation.identity.channel,
                "entry_point": conversation.entry_point.name,
                "status": words.gettext(lang, STATE_NAMES[conversation.status]),
                "line": conversation.line.name,
                "created": conversation.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "topic": conversation.topic,
                "result": words.gettext(lang, result) if result else None,
            }
        )
    return rows


async def _contact_page(
    request: web.Request,
    who: Viewer,
    contact: Contact,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    ban_error: str | None = None,
    status: int = 200,
) -> web.Response:
    notice = NOTICES.get(request.query.get("done", ""))
    if notice:
        notice = _say(request)(Text(notice))
    merged = request.query.get("merged", "")
    return render(
        "contact.html",
        request,
        {
            "contact": contact,
            "identities": await Identity.filter(contact_id=contact.id).order_by("id"),
            "conversations": await _history(request, who, contact),
            "form": form or _form_of(contact),
            "errors": errors or {},
            "ban_error": ban_error,
            "notice": notice,
            "merged": optional_id(merged),
            "max_reason": MAX_REASON,
        },
        status=status,
    )


@routes.get(r"/contacts/{id:\d+}", name="contact")
async def contact_page(request: web.Request) -> web.StreamResponse:
    who = _who(request)
    return await _contact_page(request, who, await _contact(request, who))


@routes.post(r"/contacts/{id:\d+}", name="contact_edit")
async def contact_edit(request: web.Request) -> web.StreamResponse:
    """Every field is checked as `/contact field value` checks it; all are saved in one
    transaction, or none when one is refused. An empty field is cleared."""
    who = _who(request)
    contact = await _contact(request, who)
    posted = await request.post()
    form = _form_of(contact)
    changed: dict[str, str] = {}
    errors: dict[str, str] = {}
    say = _say(request)
    for field in contacts.EDITABLE_FIELDS:
        if field not in posted:
            continue  # not sent: left as it is
        raw = str(posted[field]).replace("\r\n", "\n").strip()
        form[field] = raw
        try:
            value = contacts.parse_value(field, raw or contacts.CLEAR)
        except ContactRefusal as refusal:
            errors[field] = say(refusal.text)
            continue
        old = getattr(contact, field)
        if value != old and (value or old):
            changed[field] = raw or contacts.CLEAR
    if errors:
        return await _contact_page(request, who, contact, form=form, errors=errors, status=400)
    by = await _actor(who)
    now = core_of(request).clock.now()
    try:
        async with in_transaction():
            for field, raw in changed.items():
                await contacts.update_field(contact, field, raw, at=now, by=by)
    except ContactRefusal as refusal:  # changed by someone else in the meantime
        await contact.refresh_from_db()
        errors = {field: say(refusal.text) for field in changed}
        return await _contact_page(request, who, contact, form=form, errors=errors, status=400)
    raise web.HTTPFound(f"/admin/contacts/{contact.id}?done=saved")


async def _ban(request: web.Request, banned: bool) -> web.StreamResponse:
    who = _who(request)
    contact = await _contact(request, who)
    posted = await request.post()
    reason = " ".join(str(posted.get("reason") or "").split()) or None
    say = _say(request)
    try:
        if reason and len(reason) > MAX_REASON:
            raise ContactRefusal(
                Text(_("That is too long: at most {limit} characters."), limit=MAX_REASON)
            )
        await contacts.set_banned(
            contact,
            banned,
            at=core_of(request).clock.now(),
            by=await _actor(who),
            reason=reason if banned else None,
        )
    except ContactRefusal as refusal:
        return await _contact_page(request, who, contact, ban_error=say(refusal.text), status=400)
    raise web.HTTPFound(f"/admin/contacts/{contact.id}?done={'banned' if banned else 'unbanned'}")


@routes.post(r"/contacts/{id:\d+}/ban", name="contact_ban")
async def contact_ban(request: web.Request) -> web.StreamResponse:
    return await _ban(request, True)


@routes.post(r"/contacts/{id:\d+}/unban", name="contact_unban")
async def contact_unban(request: web.Request) -> web.StreamResponse:
    return await _ban(request, False)


# -- merging -------------------------------------------------------------------------------


async def _summary(contact: Contact) -> dict[str, Any]:
    """What a person checks before merging: who it is, on which channels, how much history."""
    return {
        "contact": contact,
        "identities": await Identity.filter(contact_id=contact.id).order_by("id"),
        "conversations": await Conversation.filter(contact_id=contact.id).count(),
        "open": await Conversation.get_or_none(open_key=contact.id),
    }


async def _merge_page(
    request: web.Request,
    source: Contact,
    *,
    query: str = "",
    target: Contact | None = None,
    choices: list[Contact] | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    return render(
        "contact_merge.html",
        request,
        {
            "source": await _summary(source),
            "target": await _summary(target) if target else None,
            "choices": choices or [],
            "query": query,
            "error": error,
        },
        status=status,
    )


@routes.get(r"/contacts/{id:\d+}/merge", name="contact_merge")
async def contact_merge(request: web.Request) -> web.StreamResponse:
    """Finds the target as /link does (#number, @username, phone, email) and asks to
    confirm with both contacts side by side."""
    who = _who(request)
    source = await _contact(request, who)
    query = request.query.get("target", "").strip()[:MAX_QUERY]
    if not query:
        return await _merge_page(request, source)
    found = await contacts.find_contacts(query, seen_by=who.sight)
    if not found:
        error = _say(request)(contacts.not_found(query))
        return await _merge_page(request, source, query=query, error=error, status=404)
    if len(found) > 1:
        return await _merge_page(request, source, query=query, choices=found)
    return await _merge_page(request, source, query=query, target=found[0])


@routes.post(r"/contacts/{id:\d+}/merge", name="contact_merge_post")
async def contact_merge_post(request: web.Request) -> web.StreamResponse:
    who = _who(request)
    source = await _contact(request, who)
    target_id = optional_id(str((await request.post()).get("target") or ""))
    target = await Contact.get_or_none(id=target_id) if target_id is not None else None
    if target is None:
        raise web.HTTPNotFound()
    if not await sees_contact(who.sight, target):
        raise web.HTTPForbidden(text="forbidden")
    core = core_of(request)
    try:
        await contacts.merge(
            source, target, at=core.clock.now(), by=await _actor(who), seen_by=who.sight
        )
    except ContactRefusal as refusal:
        error = _say(request)(refusal.text)
        return await _merge_page(
            request, source, query=f"#{target.id}", target=target, error=error, status=400
        )
    # The moved open conversation's card and title show the merged contact.
    for conversation in await Conversation.filter(contact_id=target.id).exclude(
        status=ConversationStatus.CLOSED
    ):
        await core.outbox.refresh(conversation)
    core.worker.wake()
    raise web.HTTPFound(f"/admin/contacts/{target.id}?merged={source.id}")
