"""Customers writing on in their open conversations: their messages that arrive together are
stored together.

Under load many customers write at once (a getUpdates batch holds a hundred messages, and
webhooks come side by side). Each message was stored in a transaction of its own: begin, the
conversation's last-message time, the message, its link, its delivery, commit, and a read
before them. Here the messages that arrive in the same few turns of the event loop wait for
the batch before them, and one read finds their open conversations (with identity, contact
and assignee); one transaction writes the conversations' last-message time, the messages,
their links and their deliveries with one statement each, then runs what follows a message
for each (its identity's news, the rules, the first texts' gathering, a snooze's end).

A message whose customer has no open conversation, or whose conversation was opened from
another of their identities, or who is banned, goes the usual way (`Inbox._accept`), and so
does every message of a batch the database refuses (a repeated update among them): the usual
way stores each alone and tells a repeat apart. Each message is still taken under its
customer's lock, so a customer's messages are stored one after another, in order.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from bot.base.clock import Clock
from bot.base.events import InboundMessage
from bot.base.gathering import Gathering
from bot.base.log_context import conversation_is
from bot.conversations.customer_identity import identity_of
from bot.conversations.desk_actions import DeskActions
from bot.conversations.first_texts import FirstTexts
from bot.conversations.message_links import record_from_customers
from bot.conversations.returning_customers import resume
from bot.outbox.queue import Outbox
from bot.rules.runner import Rules
from storage.models import Conversation, DeliveryKind, EntryPoint, Identity
from storage.prepared import Prepared

log = logging.getLogger(__name__)

# Turns of the event loop a batch waits before it is taken (`bot.base.gathering`).
GATHER_TURNS = 1

# The open conversations of the contacts behind these identities, each with the identity that
# opened it, its contact and assignee (the same identities may match in other channels too:
# the caller keeps the right pairs).
_OPEN_OF_IDENTITIES: Prepared[list[Conversation]] = Prepared(
    Conversation,
    lambda channels, external_ids: Conversation.filter(
        open_key__in=Subquery(
            Identity.filter(channel__in=channels, external_id__in=external_ids).values("contact_id")
        )
    ).select_related("identity", "identity__contact", "assignee"),
)
_WRITTEN_TO_AT: Prepared[int] = Prepared(
    Conversation,
    lambda ids, now: Conversation.filter(id__in=ids).update(last_customer_message_at=now),
)


@dataclass(frozen=True)
class WroteOn:
    """A message stored in its customer's open conversation."""

    message_id: int
    conversation: Conversation


class WritingOn:
    def __init__(
        self,
        *,
        outbox: Outbox,
        clock: Clock,
        album_wait: float,
        actions: DeskActions,
        rules: Rules,
        first_texts: FirstTexts,
        entry_point: Callable[[str], Awaitable[EntryPoint]],
    ) -> None:
        self._outbox = outbox
        self._clock = clock
        self._album_wait = album_wait
        self._actions = actions
        self._rules = rules
        self._first_texts = first_texts
        self._entry_point = entry_point
        self._batches: Gathering[InboundMessage, WroteOn | None] = Gathering(
            self._store, GATHER_TURNS
        )

    async def accept(self, inbound: InboundMessage) -> WroteOn | None:
        """`inbound` stored with the others that came meanwhile; None when it is to go the
        usual way (nothing of it was stored). Call holding the customer's lock."""
        return await self._batches.submit(inbound)

    async def _store(self, inbounds: list[InboundMessage]) -> list[WroteOn | None | BaseException]:
        going = await _writing_on(inbounds)
        stored: dict[int, WroteOn] = {}
        if going:
            try:
                async with in_transaction():
                    stored = await self._write(going)
            except Exception as error:
                log.info(
                    "Storing %d customers' messages together failed (%s): one by one",
                    len(going),
                    type(error).__name__,
                )
                stored = {}
        return [stored.get(id(inbound)) for inbound in inbounds]

    async def _write(self, going: list[tuple[Conversation, InboundMessage]]) -> dict[int, WroteOn]:
        now = self._clock.now()
        await _WRITTEN_TO_AT([conversation.id for conversation, _ in going], now)
        messages = await record_from_customers(going)
        async with self._outbox.together():
            for (conversation, inbound), message in zip(going, messages, strict=True):
                conversation.last_customer_message_at = now
                await self._outbox.to_current_thread(
                    DeliveryKind.RELAY,
                    conversation,
                    message=message,
                    group_key=inbound.album_key,
                    delay=self._album_wait if inbound.album_key else 0.0,
                )
        await self._first_texts.others([conversation for conversation, _ in going])
        stored = {}
        for (conversation, inbound), message in zip(going, messages, strict=True):
            conversation_is(conversation.id)
            await self._after(conversation, inbound)
            stored[id(inbound)] = WroteOn(message.id, conversation)
        conversation_is(None)
        return stored

    async def _after(self, conversation: Conversation, inbound: InboundMessage) -> None:
        """What follows a customer's message in their open conversation, as the usual way
        does it (`Inbox._accept`); the first texts' gathering went for all before."""
        identity = await identity_of(inbound.customer, conversation.identity)
        text = inbound.body.text or ""
        await self._rules.incoming(
            conversation,
            "customer_message",
            contact=identity.contact,
            entry_point=await self._entry_point(inbound.entry_point.key),
            text=text,
        )
        await resume(self._actions, self._rules, conversation, text)


async def _writing_on(inbounds: list[InboundMessage]) -> list[tuple[Conversation, InboundMessage]]:
    """The messages of `inbounds` whose customer writes on in the open conversation that
    customer's identity opened, each with it (one read for all)."""
    customers = [inbound.customer for inbound in inbounds]
    channels = sorted({customer.channel for customer in customers})
    external_ids = sorted({customer.external_id for customer in customers})
    found = {
        (c.identity.channel, c.identity.external_id): c
        for c in await _OPEN_OF_IDENTITIES(channels, external_ids)
    }
    going = []
    for inbound in inbounds:
        conversation = found.get((inbound.customer.channel, inbound.customer.external_id))
        if conversation is not None and not conversation.identity.contact.banned:
            going.append((conversation, inbound))
    return going
