"""A new conversation's first text waits for the lines typed right after it.

They open the thread together, in one message with the card (two group messages for a new
customer instead of one per line). The first text's relay is queued with a delay of `wait`;
each later line pushes it back to `wait` after itself, at most `GATHER_AT_MOST` times `wait`
after the first. So a customer's lines typed one after another, or taken in while a burst of
other customers is being stored, still come together.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.base.clock import Clock
from bot.outbox.queue import Outbox
from storage.models import Conversation

GATHER_AT_MOST = 4
# Forget conversations past their gathering once this many are remembered.
REMEMBERED = 1000


@dataclass
class _Gathering:
    ends_at: float  # the latest the first text waits until (monotonic)
    held_until: float  # what its relay's delay says now


class FirstTexts:
    def __init__(self, outbox: Outbox, clock: Clock, wait: float) -> None:
        self._outbox = outbox
        self._clock = clock
        self.wait = wait
        self._open: dict[int, _Gathering] = {}

    def started(self, conversation: Conversation) -> None:
        """`conversation` is new and its first text was queued with `self.wait` of delay."""
        if not self.wait:
            return
        now = self._clock.monotonic()
        if len(self._open) > REMEMBERED:
            self._open = {c: g for c, g in self._open.items() if g.ends_at > now}
        self._open[conversation.id] = _Gathering(now + self.wait * GATHER_AT_MOST, now + self.wait)

    async def another(self, conversation: Conversation) -> None:
        """The customer wrote another line; call in the transaction that stores it."""
        await self.others([conversation])

    async def others(self, conversations: list[Conversation]) -> None:
        """Customers wrote another line in each of `conversations` (stored together); call
        in the transaction that stores them. A delay is moved only when less than half of it
        is left: a statement per line of a fast typist would cost more than the slightly
        shorter pause it saves. The delays moved to the same time go in one statement."""
        now = self._clock.monotonic()
        moving: dict[float, dict[int, Conversation]] = {}
        for conversation in conversations:
            gathering = self._open.get(conversation.id)
            if gathering is None or gathering.held_until - now > self.wait / 2:
                continue
            until = min(now + self.wait, gathering.ends_at)
            if until <= now:
                del self._open[conversation.id]
                continue
            moving.setdefault(until, {})[conversation.id] = conversation
        for until, moved in moving.items():
            held = await self._outbox.hold_waiting_relays(list(moved.values()), until - now)
            for conversation_id in moved:
                if conversation_id in held:
                    self._open[conversation_id].held_until = until
                else:  # its first text was taken up, or sent: nothing waits any more
                    del self._open[conversation_id]
