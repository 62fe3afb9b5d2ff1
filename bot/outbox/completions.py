"""What a send leaves behind — the links of the copies it made, the receipts it queues, its
deliveries marked sent — written for many sends in one transaction.

Sends finish one after another, and each used to write its outcome in a transaction of its
own: five round trips to the database (begin, links, receipt, mark, commit) for one answer.
Here the outcomes wait while a batch is being written and go together in the next one, so
under load one transaction stores many sends' outcomes with one statement of each kind, and
a send that finishes alone is written at once. A send is done only once its outcome is
stored: its target's next delivery waits for that as before.

A batch that fails is written again one outcome at a time, so that one outcome the database
refuses fails only its own send (which is then retried, as a failed write always was).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from bot.base.clock import Clock
from bot.base.gathering import Gathering
from bot.conversations.message_links import copy_links
from bot.outbox.queue import Outbox, Receipt
from bot.outbox.statements import MARK_SENT
from bot.outbox.thread_opening import PostedCard, cards_posted
from storage.models import Delivery, Message, MessageLink

log = logging.getLogger(__name__)

# Turns of the event loop a batch waits before it is taken: the sends whose answers came in
# with the first one's finish meanwhile and join it.
GATHER_TURNS = 3
Copies = tuple[str, list[Message], list[str]]  # a chat key, messages, their copies' ids there


@dataclass
class Outcome:
    sent: list[int]  # deliveries that went (those still pending are marked sent)
    copies: list[Copies] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    cards: list[PostedCard] = field(default_factory=list)  # new threads' cards it posted


class Completions:
    def __init__(self, outbox: Outbox, clock: Clock) -> None:
        self._outbox = outbox
        self._clock = clock
        self._batches: Gathering[Outcome, None] = Gathering(self._write_batch, GATHER_TURNS)

    async def store(self, outcome: Outcome) -> None:
        """Return once `outcome` is stored; raise what storing it raised."""
        await self._batches.submit(outcome)

    async def _write_batch(self, batch: list[Outcome]) -> list[None | BaseException]:
        try:
            await self._write(batch)
        except Exception as error:
            if len(batch) == 1:
                return [error]
            log.warning(
                "Storing %d sends' outcomes together failed (%s): one by one",
                len(batch),
                type(error).__name__,
            )
            results: list[None | BaseException] = []
            for outcome in batch:
                try:
                    await self._write([outcome])
                except Exception as single:
                    results.append(single)
                else:
                    results.append(None)
            return results
        return [None] * len(batch)

    async def _write(self, outcomes: list[Outcome]) -> None:
        links: list[MessageLink] = []
        for outcome in outcomes:
            for chat_key, messages, external_ids in outcome.copies:
                links += copy_links(chat_key, zip(messages, external_ids, strict=False))
        receipts = [self._outbox.receipt(r) for o in outcomes for r in o.receipts]
        sent = [ident for outcome in outcomes for ident in outcome.sent]
        cards = [card for outcome in outcomes for card in outcome.cards]
        if not links and not receipts and not cards:  # one statement needs no transaction
            await MARK_SENT(sent, self._clock.now())
            return
        async with in_transaction():
            if links:
                await MessageLink.bulk_create(links, ignore_conflicts=True)
            if receipts:
                await Delivery.bulk_create(receipts)
            if sent:
                await MARK_SENT(sent, self._clock.now())
            if cards:
                await cards_posted(cards)
