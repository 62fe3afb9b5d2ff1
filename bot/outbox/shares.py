"""Which deliveries this instance sends when several share one database.

Every instance reads the same due heads. Without a division each would plan every head and
try to claim it, and all but one claim would fail: work done twice for nothing (with two
desks the instances benchmark counted a fifth more statements than with one, all of them
reads, plans and failed claims of the other's heads). With Redis, the live instances keep a
roster of heartbeats; each target belongs to one of them by a hash of its place (a thread's
messages and its title and card go together) and the others leave it alone.

Claims still decide who sends: while the roster changes, two instances may try one head for
a moment, and one claim wins. An instance that stops beating (killed, or its worker stuck in
a step) drops out of the roster within `TTL`, and its targets pass to the others.

An instance that queues a delivery for another's target nudges that one on its own Redis
channel once the transaction has committed (the worker's `wake`). A nudge that arrives before
the commit is visible is caught by the short poll each instance keeps while it is not alone
(`POLL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import zlib
from collections.abc import Callable
from typing import Any, Protocol

from bot.base.clock import Clock
from bot.base.redis_channel import listen

log = logging.getLogger(__name__)

ROSTER = "rd:outbox:roster"  # sorted set: instance -> its last heartbeat (Redis's time)
NUDGE = "rd:outbox:nudge:"  # + instance: "something of yours is due"
BEAT_EVERY = 2.0
TTL = 6.0  # no heartbeat for this long: the instance is gone
POLL = 0.5  # the longest a worker sleeps while it shares the outbox


class Shares(Protocol):
    @property
    def alone(self) -> bool:
        """No other instance shares the outbox (as far as this one knows)."""

    def mine(self, target: str) -> bool:
        """This instance sends what goes to `target`."""

    def queued(self, target: str) -> None:
        """A delivery to `target` was written (not yet committed)."""

    def nudge(self) -> None:
        """What was queued is committed: tell the owners of its targets. Never waits."""

    async def run(self, wake: Callable[[], None], working: Callable[[], bool]) -> None:
        """Keep the share up to date until cancelled: `wake` the worker when it changes or
        another instance nudges; no heartbeat while `working()` is False (a stuck worker)."""

    async def leave(self) -> None:
        """This instance stops: its targets pass to the others at once."""


class AllMine:
    """One instance (or no Redis to share through): every target is this instance's."""

    alone = True

    def mine(self, target: str) -> bool:
        return True

    def queued(self, target: str) -> None:
        return None

    def nudge(self) -> None:
        return None

    async def run(self, wake: Callable[[], None], working: Callable[[], bool]) -> None:
        return None

    async def leave(self) -> None:
        return None


def place_of(target: str) -> str:
    """A thread's header refreshes belong with its messages: one instance sends both."""
    kind, _, ident = target.partition(":")
    return f"thread:{ident}" if kind == "header" else target


# Heartbeats are stamped with Redis's clock, not the instances': machines whose clocks
# disagree by more than TTL would otherwise drop each other from the roster.
_BEAT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""


class RedisShares:
    def __init__(
        self, redis: Any, clock: Clock, *, every: float = BEAT_EVERY, ttl: float = TTL
    ) -> None:
        self._redis = redis
        self._clock = clock
        self._every = every
        self._ttl = ttl
        self.me = uuid.uuid4().hex[:16]
        self._roster: list[str] = [self.me]
        self._owners_to_nudge: set[str] = set()
        self._nudging: asyncio.Task[None] | None = None
        self._beat = redis.register_script(_BEAT)

    @property
    def alone(self) -> bool:
        return len(self._roster) <= 1

    @property
    def roster(self) -> list[str]:
        return list(self._roster)

    def owner(self, target: str) -> str:
        roster = self._roster
        if len(roster) == 1:
            return roster[0]
        return roster[zlib.crc32(place_of(target).encode()) % len(roster)]

    def mine(self, target: str) -> bool:
        return self.owner(target) == self.me

    def queued(self, target: str) -> None:
        owner = self.owner(target)
        if owner != self.me:
            self._owners_to_nudge.add(owner)

    def nudge(self) -> None:
        if self._owners_to_nudge and (self._nudging is None or self._nudging.done()):
            self._nudging = asyncio.create_task(self._send_nudges())

    async def _send_nudges(self) -> None:
        while self._owners_to_nudge:
            owners, self._owners_to_nudge = self._owners_to_nudge, set()
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for owner in owners:
                        pipe.publish(NUDGE + owner, self.me)
                    await pipe.execute()
            except Exception as error:  # the owner's poll finds it a little later
                log.warning("Could not nudge another instance (%s)", type(error).__name__)

    async def run(self, wake: Callable[[], None], working: Callable[[], bool]) -> None:
        listening = asyncio.create_task(self._listen(wake))
        try:
            while True:
                if working():
                    try:
                        await self.beat(wake)
                    except Exception as error:  # Redis is away: keep the last roster
                        log.warning("Outbox roster not renewed (%s)", type(error).__name__)
                await asyncio.sleep(self._clock.sleep_seconds(self._every))
        finally:
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening

    async def beat(self, wake: Callable[[], None] = lambda: None) -> None:
        """Say this instance is alive, forget those that are not, and read who is left."""
        members = await self._beat(
            keys=[ROSTER], args=[self.me, self._clock.sleep_seconds(self._ttl)]
        )
        roster = sorted({_text(m) for m in members} | {self.me})
        if roster != self._roster:
            log.info("The outbox is shared by %d instance(s)", len(roster))
            self._roster = roster
            wake()  # a share that changed hands goes at once

    async def leave(self) -> None:
        with contextlib.suppress(Exception):
            await self._redis.zrem(ROSTER, self.me)

    async def _listen(self, wake: Callable[[], None]) -> None:
        await listen(
            self._redis, NUDGE + self.me, lambda _: wake(), what="Nudges from other instances"
        )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
