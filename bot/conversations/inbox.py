"""Customer -> operators: store an inbound message and queue it for the line's workspace."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.base.clock import Clock
from bot.base.events import CustomerRef, InboundEdit, InboundMessage
from bot.base.i18n import Text, _, verbatim
from bot.base.locks import KeyedLock
from bot.base.log_context import about, conversation_is
from bot.base.metrics import Metrics
from bot.conversations import csat
from bot.conversations.desk_actions import Change, DeskActions
from bot.conversations.first_texts import FirstTexts
from bot.conversations.message_links import (
    apply_edit,
    customer_chat_key,
    find_link,
    record_message,
)
from bot.directory.business_hours import is_open
from bot.outbox.queue import Outbox
from bot.rules.runner import Outcome, Rules
from bot.suggestions.suggester import Suggestions
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    DeliveryKind,
    Direction,
    EntryPoint,
    Identity,
    Line,
    Message,
    OperatorStatus,
    Thread,
)
from storage.prepared import Prepared, get_by_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    message_id: int | None
    conversation_id: int | None
    duplicate: bool = False
    new_conversation: bool = False


# Read for every customer message: built once (`storage.prepared`).
_IDENTITY_WITH_CONTACT: Prepared[Identity | None] = Prepared(
    Identity,
    lambda channel, external_id: (
        Identity.filter(channel=channel, external_id=external_id).select_related("contact").first()
    ),
)
_OPEN_OF: Prepared[Conversation | None] = Prepared(
    Conversation, lambda contact_id: Conversation.get_or_none(open_key=contact_id)
)


class UnknownEntryPoint(LookupError):
    """A message came through an entry point the database does not know."""


class Inbox:
    def __init__(
        self,
        *,
        outbox: Outbox,
        locks: KeyedLock,
        clock: Clock,
        album_wait: float,
        actions: DeskActions,
        metrics: Metrics,
        rules: Rules,
        first_wait: float = 0.0,
        opened: Callable[[Conversation], Awaitable[None]] | None = None,
        suggestions: Suggestions | None = None,
    ):
        self._suggestions = suggestions  # answers offered after a customer's text is stored
        self._actions = actions
        self._opened = opened  # told of each new conversation (the API's webhook events)
        self._rules = rules
        self._metrics = metrics
        self._outbox = outbox
        self._locks = locks
        self._clock = clock
        self._album_wait = album_wait
        self._first_texts = FirstTexts(outbox, clock, first_wait)
        self._entry_points: dict[str, EntryPoint] = {}

    async def accept(self, inbound: InboundMessage) -> Accepted:
        """Store and queue `inbound` exactly once, however often and concurrently it arrives."""
        with about():
            accepted = await self._accept_once(inbound)
        self._metrics.update_handled("customer", inbound.customer.channel)
        return accepted

    async def _accept_once(self, inbound: InboundMessage) -> Accepted:
        identity_key = f"identity:{inbound.customer.channel}:{inbound.customer.external_id}"
        for attempt in range(3):
            try:
                async with self._locks(identity_key):
                    return await self._accept(inbound)
            except IntegrityError:
                if await Message.exists(source_key=inbound.source_key):
                    log.info("Duplicate customer message %s dropped", inbound.source_key)
                    return Accepted(None, None, duplicate=True)
                if attempt == 2:
                    raise
                log.info("Concurrent first messages of %s: retrying", identity_key)
        raise AssertionError("unreachable")

    async def _accept(self, inbound: InboundMessage) -> Accepted:
        # A repeat is refused by the message's unique source key, which rolls all of it back.
        entry_point = await self._entry_point(inbound.entry_point.key)
        now = self._clock.now()
        async with in_transaction():
            identity = await self._identity(inbound)
            contact = await identity.contact
            if contact.banned:
                log.info("Message from banned contact %s ignored", contact.id)
                return Accepted(None, None)
            conversation = await _OPEN_OF(contact.id)
            if conversation is None:
                answered = await self._rating_reply(contact, inbound, entry_point)
                if answered is not None:
                    return answered
            is_new = conversation is None
            if conversation is None:
                conversation = await self._open_conversation(contact, identity, entry_point)
            conversation_is(conversation.id)
            conversation.last_customer_message_at = now
            await conversation.save(update_fields=["last_customer_message_at"])
            message = await record_message(
                conversation,
                inbound,
                direction=Direction.IN,
                text=inbound.body.text,
                chat_key=customer_chat_key(entry_point.key, inbound.chat),
                source_key=inbound.source_key,
            )
            await self._outbox.to_current_thread(
                DeliveryKind.RELAY,
                conversation,
                message=message,
                group_key=inbound.album_key,
                delay=self._album_wait
                if inbound.album_key
                else (self._first_texts.wait if is_new else 0.0),
            )
            outcome = await self._rules.incoming(
                conversation,
                "new_conversation" if is_new else "customer_message",
                contact=contact,
                entry_point=entry_point,
                text=inbound.body.text or "",
            )
            if is_new:
                if self._opened is not None:
                    await self._opened(conversation)
                if not inbound.album_key:
                    self._first_texts.started(conversation)
                await self._welcome(conversation, outcome)
            else:
                await self._first_texts.another(conversation)
                await self._resume(conversation, inbound.body.text or "")
        if self._suggestions is not None and inbound.body.kind == "text" and inbound.body.text:
            await self._suggestions.after_customer_text(conversation, inbound.body.text)
        return Accepted(message.id, conversation.id, new_conversation=is_new)

    async def _rating_reply(
        self, contact: Contact, inbound: InboundMessage, entry_point: EntryPoint
    ) -> Accepted | None:
        """A number after the rating question, or a comment right after the rating, belongs
        to the closed conversation, not to a new one."""
        pending = await csat.awaiting(contact, self._clock)
        if pending is None:
            return None
        conversation, wanted = pending
        text = inbound.body.text
        score = csat.as_score(text) if wanted == "score" else None
        comment = text if wanted == "comment" and inbound.body.kind == "text" else None
        if score is None and not comment:
            return None
        conversation_is(conversation.id)
        message = await record_message(
            conversation,
            inbound,
            direction=Direction.IN,
            text=inbound.body.text,
            chat_key=customer_chat_key(entry_point.key, inbound.chat),
            source_key=inbound.source_key,
        )
        if score is not None:
            await csat.rate(self._outbox, self._clock, conversation, score)
        elif comment:
            await csat.comment(self._outbox, conversation, comment)
        return Accepted(message.id, conversation.id)

    async def _welcome(self, conversation: Conversation, outcome: Outcome) -> None:
        """A new conversation: the line's greeting or its out-of-hours answer, then routing;
        what the incoming rules did comes first (a rule's answer replaces the line's, and
        a conversation a rule assigned or snoozed is not routed)."""
        if conversation.status == ConversationStatus.QUEUED and not outcome.told_customer:
            await self._greet(conversation)
        if conversation.status == ConversationStatus.QUEUED:
            await self._actions.route(conversation, refresh=False)

    async def _greet(self, conversation: Conversation) -> None:
        line = await get_by_id(Line, conversation.line_id)  # type: ignore[attr-defined]
        now = self._clock.now()
        if not is_open(line.business_hours, now, self._actions.settings.timezone):
            await self._outbox.notice_customer(
                conversation,
                verbatim(line.out_of_hours_message)
                if line.out_of_hours_message
                else Text(
                    _(
                        "Thank you for writing! We are out of office hours now and will answer as soon as we are back."  # noqa: E501
                    )
                ),
            )
            conversation.out_of_hours_sent_at = now
            await conversation.save(update_fields=["out_of_hours_sent_at"])
        elif line.greeting:
            await self._outbox.notice_customer(conversation, verbatim(line.greeting))

    async def _resume(self, conversation: Conversation, text: str) -> None:
        """The customer wrote again: a snooze ends; an assignee who does not want to be
        disturbed hands the conversation back to the queue. A conversation that was
        waiting for the customer (a rule finished it) comes back to the queue for whoever is
        free, unless a rule for changed conversations keeps it with its assignee."""
        if conversation.status == ConversationStatus.SNOOZED and conversation.snoozed_until is None:
            await self._rules.changed(Change(conversation, "reactivated", customer=True, text=text))
            if conversation.status != ConversationStatus.SNOOZED:
                return
            await self._actions.wake(conversation, by_customer=True)
            await self._actions.requeue(conversation, by=None, via="reactivated", route=False)
            await self._actions.route(conversation)
            return
        if conversation.status == ConversationStatus.SNOOZED:
            await self._actions.wake(conversation, by_customer=True)
            return
        if conversation.assignee_id is None:  # type: ignore[attr-defined]
            return
        assignee = await conversation.assignee
        if assignee is not None and assignee.status == OperatorStatus.DND:
            await self._actions.tell_thread(
                conversation,
                Text(
                    _("{name} does not want to be disturbed: #{number} goes back to the queue."),
                    name=assignee.name,
                    number=conversation.number,
                ),
            )
            await self._actions.requeue(conversation, by=None, via="dnd")

    async def _entry_point(self, key: str) -> EntryPoint:
        """The entry point named `key`. Entry points are never deleted, so one seen is kept;
        the line it leads to may change and is read afresh where it matters (a new
        conversation)."""
        entry_point = self._entry_points.get(key)
        if entry_point is None:
            entry_point = await EntryPoint.get_or_none(key=key)
            if entry_point is None:
                raise UnknownEntryPoint(key)
            self._entry_points[key] = entry_point
        return entry_point

    async def _identity(self, inbound: InboundMessage) -> Identity:
        """The customer's identity, with its contact."""
        ref = inbound.customer
        identity = await _IDENTITY_WITH_CONTACT(ref.channel, ref.external_id)
        if identity is None:
            contact = await Contact.create(
                name=ref.display_name, language=ref.language, email=ref.email
            )
            return await Identity.create(
                contact=contact,
                channel=ref.channel,
                external_id=ref.external_id,
                username=ref.username,
                display_name=ref.display_name,
                language=ref.language,
            )
        await _fill_contact(identity, ref)
        changed = (identity.username, identity.display_name, identity.language) != (
            ref.username,
            ref.display_name,
            ref.language,
        )
        if changed or identity.blocked_at:
            identity.username = ref.username
            identity.display_name = ref.display_name
            identity.language = ref.language or identity.language
            identity.blocked_at = None
            await identity.save()
        return identity

    async def _open_conversation(
        self, contact: Contact, identity: Identity, entry_point: EntryPoint
    ) -> Conversation:
        # As it is now: an admin may have pointed the entry point at another line.
        line = await Line.get(entry_points__id=entry_point.id)
        thread, created = await Thread.get_or_create(
            contact=contact,
            line=line,
            defaults={"workspace_kind": line.workspace_kind, "workspace_chat": line.workspace_chat},
        )
        conversation = await Conversation.create(
            contact=contact,
            identity=identity,
            entry_point=entry_point,
            line=line,
            thread=thread,
            status=ConversationStatus.QUEUED,
            open_key=contact.id,
            queued_at=self._clock.now(),
        )
        if not created:
            await self._outbox.notice_thread(
                thread,
                conversation,
                Text(_("──── New conversation #{number} ────"), number=conversation.number),
            )
            await self._outbox.refresh_thread(thread.id, conversation)
            await self._outbox.to_thread(thread, DeliveryKind.CARD_POST, conversation)
        return conversation

    async def accept_rating(
        self, channel: str, customer_id: str, conversation_id: int, score: int
    ) -> bool:
        """A rating button pressed by a customer; False when it is not theirs to rate, or
        was rated already."""
        with about(conversation_id=conversation_id):
            rated = await self._rate(channel, customer_id, conversation_id, score)
        self._metrics.update_handled("customer", channel)
        return rated

    async def _rate(self, channel: str, customer_id: str, conversation_id: int, score: int) -> bool:
        identity = await Identity.get_or_none(channel=channel, external_id=customer_id)
        if identity is None:
            return False
        conversation = await Conversation.get_or_none(
            id=conversation_id,
            contact_id=identity.contact_id,  # type: ignore[attr-defined]
            status=ConversationStatus.CLOSED,
        )
        if conversation is None:
            return False
        async with in_transaction():
            return await csat.rate(self._outbox, self._clock, conversation, score)

    async def accept_edit(self, edit: InboundEdit) -> bool:
        """Propagate a customer's edit; False when the original is unknown (never relayed)."""
        with about():
            applied = await self._edit(edit)
        self._metrics.update_handled("customer", edit.entry_point.channel)
        return applied

    async def _edit(self, edit: InboundEdit) -> bool:
        chat_key = customer_chat_key(edit.entry_point.key, edit.chat)
        link = await find_link(chat_key, edit.external_id)
        if link is None:
            log.info(
                "Edit of unknown customer message %s in %s ignored", edit.external_id, chat_key
            )
            return False
        async with in_transaction():
            message = await apply_edit(link, edit.body, self._clock.now())
            conversation = await message.conversation
            conversation_is(conversation.id)
            await self._outbox.to_thread(
                await conversation.thread, DeliveryKind.EDIT, conversation, message=message
            )
        return True


async def _fill_contact(identity: Identity, ref: CustomerRef) -> None:
    """What a customer tells of themselves later (a web chat form) fills what the contact
    lacks: an email where there is none, a name where the contact still has the name it got
    from this identity. What an operator wrote on the card is kept."""
    contact = identity.contact
    fields = []
    if ref.email and not contact.email:
        contact.email = ref.email
        fields.append("email")
    named = ref.name_given and ref.display_name != identity.display_name
    if named and contact.name == identity.display_name:
        contact.name = ref.display_name
        fields.append("name")
    if fields:
        await contact.save(update_fields=fields)
