"""Customers writing for the first time: their first messages that arrive together are stored
together.

Under load many new customers write at once (a campaign, a getUpdates batch of a hundred).
Each first message was stored in a transaction of its own: begin, a read for the identity,
the contact, the identity, the entry point's line, the thread, the conversation, the message,
its link, its delivery, commit. Here the first messages that arrive in the same few turns of
the event loop (after `WritingOn` found no open conversation for them) are stored in one
transaction: one read tells which customers are new, one reads their entry points' lines,
then each gets their contact, identity, thread and conversation, and the messages, their
links and their deliveries go with one statement each. What follows a new conversation (the
rules, the greeting, routing) runs for each, as `Inbox` does it.

A message whose customer wrote before goes the usual way (`Inbox._accept`), and so does every
message of a batch the database refuses (a repeated update, a customer made meanwhile by
another instance): the usual way stores each alone and tells a repeat apart. Each message is
still taken under its customer's lock.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.base.clock import Clock
from bot.base.events import InboundMessage
from bot.base.gathering import Gathering
from bot.base.log_context import conversation_is
from bot.conversations.customer_identity import first_identity, known_identities
from bot.conversations.message_links import record_from_customers
from bot.conversations.new_conversations import open_conversation
from bot.outbox.queue import Outbox
from storage.models import Conversation, DeliveryKind, EntryPoint, Identity, Line

log = logging.getLogger(__name__)

# Turns of the event loop a batch waits before it is taken (`bot.base.gathering`).
GATHER_TURNS = 1

# What follows a new conversation's first message, in the transaction that stores it.
AfterOpening = Callable[[Conversation, InboundMessage, Identity, EntryPoint], Awaitable[None]]


@dataclass(frozen=True)
class Opened:
    """A first message stored in the new conversation it opened."""

    message_id: int
    conversation: Conversation


@dataclass(frozen=True)
class _First:
    inbound: InboundMessage
    entry_point: EntryPoint
    line: Line


class FirstContacts:
    def __init__(
        self,
        *,
        outbox: Outbox,
        clock: Clock,
        entry_point: Callable[[str], Awaitable[EntryPoint]],
        relay_delay: Callable[[InboundMessage], float],
        after_opening: AfterOpening,
    ) -> None:
        self._outbox = outbox
        self._clock = clock
        self._entry_point = entry_point
        self._relay_delay = relay_delay  # how long a new conversation's first message waits
        self._after_opening = after_opening
        self._batches: Gathering[InboundMessage, Opened | None] = Gathering(
            self._store, GATHER_TURNS
        )

    async def accept(self, inbound: InboundMessage) -> Opened | None:
        """`inbound` stored with the other first messages that came meanwhile; None when it
        is to go the usual way (nothing of it was stored). Call holding the customer's lock."""
        return await self._batches.submit(inbound)

    async def _store(self, inbounds: list[InboundMessage]) -> list[Opened | None | BaseException]:
        try:
            firsts = await self._firsts(inbounds)
        except Exception as error:  # each goes the usual way, which tells what is wrong
            log.info("Reading %d customers failed (%s): one by one", len(inbounds), error)
            firsts = []
        stored: dict[int, Opened] = {}
        if len(firsts) > 1:  # one alone goes the usual way: nothing to save
            try:
                async with in_transaction():
                    stored = await self._write(firsts)
            except Exception as error:
                log.info(
                    "Storing %d new customers' first messages together failed (%s): one by one",
                    len(firsts),
                    type(error).__name__,
                )
                stored = {}
            finally:
                conversation_is(None)
        return [stored.get(id(inbound)) for inbound in inbounds]

    async def _firsts(self, inbounds: list[InboundMessage]) -> list[_First]:
        """The messages of `inbounds` whose customers never wrote before, each with its
        entry point and the line it leads to now (two reads for all)."""
        if len(inbounds) < 2:
            return []
        known = await known_identities([inbound.customer for inbound in inbounds])
        new = [i for i in inbounds if (i.customer.channel, i.customer.external_id) not in known]
        if len(new) < 2:
            return []
        entry_points: dict[str, EntryPoint] = {}
        for key in {inbound.entry_point.key for inbound in new}:
            with contextlib.suppress(LookupError):  # unknown: the usual way refuses it
                entry_points[key] = await self._entry_point(key)
        new = [inbound for inbound in new if inbound.entry_point.key in entry_points]
        if len(new) < 2:
            return []
        ids = sorted({entry_point.id for entry_point in entry_points.values()})
        lines = {
            row.id: row.line for row in await EntryPoint.filter(id__in=ids).select_related("line")
        }
        firsts = []
        for inbound in new:
            entry_point = entry_points[inbound.entry_point.key]
            firsts.append(_First(inbound, entry_point, lines[entry_point.id]))
        return firsts

    async def _write(self, firsts: list[_First]) -> dict[int, Opened]:
        opened: list[tuple[_First, Conversation, Identity]] = []
        for first in firsts:
            identity = await first_identity(first.inbound.customer)
            conversation = await open_conversation(
                self._outbox,
                self._clock,
                identity.contact,
                identity,
                first.entry_point,
                first_contact=True,
                line=first.line,
            )
            opened.append((first, conversation, identity))
        messages = await record_from_customers(
            [(conversation, first.inbound) for first, conversation, _ in opened]
        )
        async with self._outbox.together():
            for (first, conversation, _), message in zip(opened, messages, strict=True):
                await self._outbox.to_current_thread(
                    DeliveryKind.RELAY,
                    conversation,
                    message=message,
                    group_key=first.inbound.album_key,
                    delay=self._relay_delay(first.inbound),
                )
        stored = {}
        for (first, conversation, identity), message in zip(opened, messages, strict=True):
            conversation_is(conversation.id)
            await self._after_opening(conversation, first.inbound, identity, first.entry_point)
            stored[id(first.inbound)] = Opened(message.id, conversation)
        return stored
