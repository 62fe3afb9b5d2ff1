"""contact, link, history, ban, unban: the client card of a conversation's customer.

The rules live in `bot.people.contacts`; this module reads the operator's words and shows the card.
Customer data (names, notes, messages) only ever travels as Text arguments, which the
bridges escape."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.base.i18n import Text, _
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.conversations.view import RESULT_NAMES, STATE_NAMES
from bot.people import contacts
from bot.people.contact_visibility import Sight, sight_of
from bot.people.contacts import Actor, ContactRefusal
from storage.models import Contact, Conversation, ConversationStatus, Direction, Identity, Message

EARLIER_ON_CARD = 10
HISTORY_SIZE = 15
FIRST_MESSAGE_CHARS = 80
NONE = "—"


def _conversation(ctx: CommandContext) -> Conversation:
    assert ctx.conversation is not None
    return ctx.conversation


async def _contact(ctx: CommandContext) -> Contact:
    return await Contact.get(id=_conversation(ctx).contact_id)  # type: ignore[attr-defined]


def _actor(ctx: CommandContext) -> Actor:
    return Actor(operator=ctx.operator, conversation=ctx.conversation)


async def _sight(ctx: CommandContext) -> Sight:
    """The contacts and lines the operator may see, as the admin panel shows them."""
    return await sight_of(ctx.operator.role, ctx.operator)


def _zone(ctx: CommandContext) -> ZoneInfo:
    return ZoneInfo(ctx.actions.settings.timezone)


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d") if moment else "…"


# -- /contact ------------------------------------------------------------------------------


async def contact(ctx: CommandContext) -> Reply:
    if ctx.args:
        return await _edit(ctx)
    return Reply(await _card(ctx, await _contact(ctx)))


async def _edit(ctx: CommandContext) -> Reply:
    field, *rest = ctx.args.split(None, 1)  # notes may span lines
    field, value = field.lower(), rest[0] if rest else ""
    try:
        contacts.check_field(field)
    except ContactRefusal as refusal:
        return Reply(refusal.text, ok=False)
    if not value.strip():
        return Reply(
            Text(
                _("Write the value after the field: /contact {field} value (- clears it)."),
                field=field,
            ),
            ok=False,
        )
    customer = await _contact(ctx)
    try:
        await contacts.update_field(customer, field, value, at=ctx.clock.now(), by=_actor(ctx))
    except ContactRefusal as refusal:
        return Reply(refusal.text, ok=False)
    return Reply(
        Text(_("Contact #{number}: {field} saved."), number=customer.id, field=field), quiet=True
    )


async def _card(ctx: CommandContext, customer: Contact) -> Text:
    identities = await Identity.filter(contact_id=customer.id).order_by("id")
    mine = Conversation.filter(contact_id=customer.id).prefetch_related("line", "thread")
    open_ones = await mine.exclude(status=ConversationStatus.CLOSED).order_by("-id")
    closed = (
        await mine.filter(status=ConversationStatus.CLOSED).order_by("-id").limit(EARLIER_ON_CARD)
    )
    zone = _zone(ctx)
    lines: list[Text] = [
        Text(_("Name: {value}"), value=customer.name or NONE),
        Text(_("Identities:")),
        *[_identity_line(identity) for identity in identities],
        Text(_("Phone: {value}"), value=customer.phone or NONE),
        Text(_("Email: {value}"), value=customer.email or NONE),
        Text(_("Company: {value}"), value=customer.company or NONE),
        Text(_("Tags: {value}"), value=", ".join(customer.tags or []) or NONE),
        Text(_("Notes: {value}"), value=customer.notes or NONE),
        Text(_("Banned: yes")) if customer.banned else Text(_("Banned: no")),
        Text(_("Open conversations:")),
        *[_conversation_line(ctx, c, zone) for c in open_ones],
        Text(_("Earlier conversations:")),
        *([_conversation_line(ctx, c, zone) for c in closed] or [Text(_("none"))]),
    ]
    return Text(_("Client card #{number}\n{lines}"), number=customer.id, lines=lines)


def _identity_line(identity: Identity) -> Text:
    return Text(
        _("• {channel} · {username} · id {external_id} · language: {language}"),
        channel=identity.channel,
        username=f"@{identity.username}" if identity.username else NONE,
        external_id=identity.external_id,
        language=identity.language or NONE,
    )


def _conversation_line(ctx: CommandContext, conversation: Conversation, zone: ZoneInfo) -> Text:
    args = {
        "number": conversation.number,
        "status": Text(STATE_NAMES[conversation.status]),
        "date": _day(conversation.created_at, zone),
        "line": conversation.line.name,
        "outcome": _outcome(conversation),
    }
    link = ctx.actions.thread_link(conversation.thread)
    if link is None:
        return Text(_("• #{number} · {status} · {date} · {line} · {outcome}"), **args)
    return Text(
        _("• #{number} · {status} · {date} · {line} · {outcome} · {link}"), link=link, **args
    )


def _outcome(conversation: Conversation) -> str | Text:
    """The topic and the result of a conversation, whichever it has."""
    result = Text(RESULT_NAMES.get(conversation.result, "?")) if conversation.result else None
    if conversation.topic and result:
        return Text(_("{topic} / {result}"), topic=conversation.topic, result=result)
    return conversation.topic or result or NONE


# -- /link ---------------------------------------------------------------------------------


async def link(ctx: CommandContext) -> Reply:
    query = ctx.args.strip()
    if not query:
        return Reply(
            Text(_("Write whom to link to: /link #contact, @username, a phone or an email.")),
            ok=False,
        )
    found = await contacts.find_contacts(query, seen_by=await _sight(ctx))
    if not found:
        return Reply(contacts.not_found(query), ok=False)
    if len(found) > 1:
        numbers = ", ".join(f"#{c.id}" for c in found)
        return Reply(
            Text(
                _("Several contacts match {query}: {numbers}. Link by number: /link #number."),
                query=query,
                numbers=numbers,
            ),
            ok=False,
        )
    return await _merge(ctx, found[0])


async def _merge(ctx: CommandContext, target: Contact) -> Reply:
    conversation = _conversation(ctx)
    source = await _contact(ctx)
    try:
        result = await contacts.merge(
            source, target, at=ctx.clock.now(), by=_actor(ctx), seen_by=await _sight(ctx)
        )
    except ContactRefusal as refusal:
        return Reply(refusal.text, ok=False)
    await conversation.refresh_from_db(fields=["contact_id", "open_key"])
    await ctx.outbox.refresh(conversation)  # the card and title show the merged contact
    identities = await Identity.filter(contact_id=target.id).order_by("id")
    count = await Conversation.filter(contact_id=target.id).count()
    lines = [
        *[_identity_line(identity) for identity in identities],
        Text(_("Conversations on all channels: {count}"), count=count),
    ]
    return Reply(
        Text(
            _("Linked to contact #{number} ({name}): one history from now on.\n{lines}"),
            number=result.target.id,
            name=result.target.name,
            lines=lines,
        )
    )


# -- /history ------------------------------------------------------------------------------


async def history(ctx: CommandContext) -> Reply:
    current = _conversation(ctx)
    earlier = (
        await Conversation.filter(contact_id=current.contact_id)  # type: ignore[attr-defined]
        .exclude(id=current.id)
        .prefetch_related("line", "assignee")
        .order_by("-created_at", "-id")
        .limit(HISTORY_SIZE)
    )
    if not earlier:
        return Reply(Text(_("No earlier conversations.")))
    zone, sight = _zone(ctx), await _sight(ctx)
    lines: list[Text] = []
    for conversation in earlier:
        lines.extend(await _history_entry(conversation, zone, sight))
    return Reply(
        Text(_("Earlier conversations, newest first:\n{lines}"), lines=lines),
    )


async def _history_entry(conversation: Conversation, zone: ZoneInfo, sight: Sight) -> list[Text]:
    """Two lines per conversation: what it was, and how the customer opened it; the words
    stay in their line, as the panel opens a conversation only to its lines' people."""
    assignee = conversation.assignee
    messages = await Message.filter(
        conversation_id=conversation.id, direction__in=[Direction.IN, Direction.OUT]
    ).count()
    summary = Text(
        _(
            "#{number} · {start} – {end} · {line} · {assignee} · topic: {topic} · result: {result} · CSAT: {csat} · messages: {count}"  # noqa: E501
        ),
        number=conversation.number,
        start=_day(conversation.created_at, zone),
        end=_day(conversation.closed_at, zone),
        line=conversation.line.name,
        assignee=assignee.name if assignee else NONE,
        topic=conversation.topic or NONE,
        result=Text(RESULT_NAMES.get(conversation.result, "?")) if conversation.result else NONE,
        csat=f"{conversation.csat_score}/5" if conversation.csat_score else NONE,
        count=messages,
    )
    if not sight.sees_line(conversation.line_id):  # type: ignore[attr-defined]
        return [summary, Text(_("↳ (in a line you do not work in)"))]
    return [summary, await _first_words(conversation)]


async def _first_words(conversation: Conversation) -> Text:
    first = (
        await Message.filter(conversation_id=conversation.id, direction=Direction.IN)
        .order_by("id")
        .first()
    )
    if first is None:
        return Text(_("↳ (the customer wrote nothing)"))
    words = " ".join((first.text or "").split())
    if not words:
        return Text(_("↳ ({kind}, no text)"), kind=first.kind)
    if len(words) > FIRST_MESSAGE_CHARS:
        words = words[:FIRST_MESSAGE_CHARS] + "…"
    return Text(_("↳ “{text}”"), text=words)


# -- /ban, /unban --------------------------------------------------------------------------


async def ban(ctx: CommandContext) -> Reply:
    return await _set_banned(ctx, True, ctx.args.strip() or None)


async def unban(ctx: CommandContext) -> Reply:
    return await _set_banned(ctx, False, None)


async def _set_banned(ctx: CommandContext, banned: bool, reason: str | None) -> Reply:
    customer = await _contact(ctx)
    try:
        await contacts.set_banned(
            customer, banned, at=ctx.clock.now(), by=_actor(ctx), reason=reason
        )
    except ContactRefusal as refusal:
        return Reply(refusal.text, ok=False)
    if banned:
        return Reply(Text(_("Customer banned: their messages will be ignored.")))
    return Reply(Text(_("Customer unbanned: their messages reach the desk again.")))


def register(registry: CommandRegistry) -> None:
    registry.add(
        Command(
            "contact",
            _("the client card; /contact field value edits it"),
            contact,
            usage="[field value]",
        )
    )
    registry.add(
        Command(
            "link",
            _("link the customer to an existing contact: one history"),
            link,
            usage="#contact | @username | phone | email",
        )
    )
    registry.add(Command("history", _("the customer's earlier conversations"), history))
    registry.add(Command("ban", _("ignore the customer's messages"), ban, usage="[reason]"))
    registry.add(Command("unban", _("let the customer's messages in again"), unban))
