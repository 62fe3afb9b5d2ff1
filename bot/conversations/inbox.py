"""Customer -> operators: store an inbound message and queue it for the line's workspace."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.base.clock import Clock
from bot.base.events import InboundEdit, InboundMessage
from bot.base.locks import KeyedLock
from bot.base.log_context import about, conversation_is
from bot.base.metrics import Metrics
from bot.base.once_at_a_time import once_at_a_time
from bot.conversations.csat_answers import pressed_rating, typed_answer
from bot.conversations.customer_identity import identity_seen
from bot.conversations.desk_actions import DeskActions
from bot.conversations.first_contacts import FirstContacts
from bot.conversations.first_texts import FirstTexts
from bot.conversations.message_links import (
    apply_edit,
    customer_chat_key,
    find_link,
    record_from_customer,
)
from bot.conversations.new_conversations import open_conversation, welcome
from bot.conversations.returning_customers import resume
from bot.conversations.writing_on import WritingOn
from bot.outbox.queue import Outbox
from bot.rules.runner import Rules
from bot.suggestions.suggester import Suggestions
from storage.models import Conversation, DeliveryKind, EntryPoint, Identity, Message
from storage.prepared import Prepared

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    message_id: int | None
    conversation_id: int | None
    duplicate: bool = False
    new_conversation: bool = False


# Read for every customer message: built once (`storage.prepared`).
_OPEN_OF: Prepared[Conversation | None] = Prepared(
    Conversation, lambda contact_id: Conversation.get_or_none(open_key=contact_id)
)


async def _identity_and_open_conversation(
    inbound: InboundMessage,
) -> tuple[Identity, Conversation | None, bool]:
    """Who wrote, with their contact; the contact's open conversation if there is one; and
    whether this is their first contact (then there is none to look for). A customer writing
    on in the conversation their identity opened is mostly stored by `WritingOn` instead."""
    identity, first = await identity_seen(inbound.customer)
    if first:
        return identity, None, True
    return identity, await _OPEN_OF(identity.contact_id), False  # type: ignore[attr-defined]


def _chat_key(inbound: InboundMessage) -> str:
    return customer_chat_key(inbound.entry_point.key, inbound.chat)


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
        self._reading_entry_points: dict[str, asyncio.Future[EntryPoint | None]] = {}
        self._writing_on = WritingOn(
            outbox=outbox,
            clock=clock,
            album_wait=album_wait,
            actions=actions,
            rules=rules,
            first_texts=self._first_texts,
            entry_point=self._entry_point,
        )
        self._first_contacts = FirstContacts(
            outbox=outbox,
            clock=clock,
            entry_point=self._entry_point,
            relay_delay=lambda inbound: self._relay_delay(inbound, new=True),
            after_opening=self._after_opening,
        )

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
                    if attempt == 0:  # mostly stored with others writing on at the same time
                        wrote = await self._writing_on.accept(inbound)
                        if wrote is not None:
                            await self._suggest(wrote.conversation, inbound)
                            return Accepted(wrote.message_id, wrote.conversation.id)
                        opened = await self._first_contacts.accept(inbound)
                        if opened is not None:
                            await self._suggest(opened.conversation, inbound)
                            return Accepted(
                                opened.message_id, opened.conversation.id, new_conversation=True
                            )
                    return await self._accept(inbound)
            except IntegrityError:
                if await Message.exists(source_key=inbound.source_key):
                    log.info("Duplicate customer message %s dropped", inbound.source_key)
                    return Accepted(None, None, duplicate=True)
                if await find_link(_chat_key(inbound), inbound.external_id) is not None:
                    # Another message of this chat has its id (a copy sent there): not a
                    # real update, and sending it again would not change that.
                    log.warning(
                        "Customer message %s reuses a stored message's id: dropped",
                        inbound.source_key,
                    )
                    return Accepted(None, None)
                if attempt == 2:
                    raise
                log.info("Concurrent first messages of %s: retrying", identity_key)
        raise AssertionError("unreachable")

    async def _accept(self, inbound: InboundMessage) -> Accepted:
        # A repeat is refused by the message's unique source key, which rolls all of it back.
        entry_point = await self._entry_point(inbound.entry_point.key)
        async with in_transaction():
            identity, conversation, first = await _identity_and_open_conversation(inbound)
            contact = identity.contact
            if contact.banned:
                log.info("Message from banned contact %s ignored", contact.id)
                return Accepted(None, None)
            if conversation is None and not first:  # no rating is asked of a new contact
                answered = await typed_answer(
                    self._outbox, self._clock, contact, inbound, entry_point
                )
                if answered is not None:
                    rating, rated = answered
                    return Accepted(rating.id, rated.id)
            is_new = conversation is None
            if conversation is None:
                conversation = await open_conversation(
                    self._outbox, self._clock, contact, identity, entry_point, first_contact=first
                )
            else:
                conversation.last_customer_message_at = self._clock.now()
                await conversation.save(update_fields=["last_customer_message_at"])
            conversation_is(conversation.id)
            message = await record_from_customer(conversation, inbound)
            await self._outbox.to_current_thread(
                DeliveryKind.RELAY,
                conversation,
                message=message,
                group_key=inbound.album_key,
                delay=self._relay_delay(inbound, new=is_new),
            )
            if is_new:
                await self._after_opening(conversation, inbound, identity, entry_point)
            else:
                text = inbound.body.text or ""
                await self._rules.incoming(
                    conversation,
                    "customer_message",
                    contact=contact,
                    entry_point=entry_point,
                    text=text,
                )
                await self._first_texts.another(conversation)
                await resume(self._actions, self._rules, conversation, text)
        await self._suggest(conversation, inbound)
        return Accepted(message.id, conversation.id, new_conversation=is_new)

    def _relay_delay(self, inbound: InboundMessage, *, new: bool) -> float:
        """How long a customer's message waits in the outbox: an album's part for the other
        parts, a new conversation's first text for the lines typed after it."""
        if inbound.album_key:
            return self._album_wait
        return self._first_texts.wait if new else 0.0

    async def _after_opening(
        self,
        conversation: Conversation,
        inbound: InboundMessage,
        identity: Identity,
        entry_point: EntryPoint,
    ) -> None:
        """What follows a new conversation's first message, in the transaction that stores
        it: the incoming rules, the API's event, the first text's gathering, the greeting and
        routing."""
        outcome = await self._rules.incoming(
            conversation,
            "new_conversation",
            contact=identity.contact,
            entry_point=entry_point,
            text=inbound.body.text or "",
        )
        if self._opened is not None:
            await self._opened(conversation)
        if not inbound.album_key:
            self._first_texts.started(conversation)
        await welcome(self._actions, self._outbox, self._clock, conversation, outcome)

    async def _suggest(self, conversation: Conversation, inbound: InboundMessage) -> None:
        """Answers offered for a customer's text once it is stored."""
        if self._suggestions is not None and inbound.body.kind == "text" and inbound.body.text:
            await self._suggestions.after_customer_text(conversation, inbound.body.text)

    async def _entry_point(self, key: str) -> EntryPoint:
        """The entry point named `key`. Entry points are never deleted, so one seen is kept;
        the line it leads to may change and is read afresh where it matters (a new
        conversation)."""
        entry_point = self._entry_points.get(key)
        if entry_point is None:  # read once for the first messages of a burst
            entry_point = await once_at_a_time(
                self._reading_entry_points, key, lambda: self._read_entry_point(key)
            )
        return entry_point

    async def _read_entry_point(self, key: str) -> EntryPoint:
        entry_point = await EntryPoint.get_or_none(key=key)
        if entry_point is None:
            raise UnknownEntryPoint(key)
        self._entry_points[key] = entry_point
        return entry_point

    async def accept_rating(
        self, channel: str, customer_id: str, conversation_id: int, score: int
    ) -> bool:
        """A rating button pressed by a customer; False when it is not theirs to rate, or
        was rated already."""
        with about(conversation_id=conversation_id):
            rated = await pressed_rating(
                self._outbox, self._clock, channel, customer_id, conversation_id, score
            )
        self._metrics.update_handled("customer", channel)
        return rated

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
