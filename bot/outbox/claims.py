"""Claims: which instance sends a delivery. A claim is a conditional update that sets a lease
on pending deliveries nobody holds; the instance renews the leases of its sends in flight,
so one past its lease belongs to an instance that died (or stalled that long), and another
takes the delivery up again: a killed instance's sends go on within LEASE + one step."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta

from bot.base.clock import Clock
from bot.outbox.statements import CLAIM, RELEASE, UNCLAIM
from storage.models import Delivery, DeliveryStatus
from storage.prepared import padded

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=10)
RENEW_EVERY = 3.0


class Claims:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._held: set[int] = set()  # deliveries this instance claimed and is sending

    async def take(self, group: list[Delivery]) -> bool:
        """All of the group or none: when another instance holds a part of it, the part
        claimed here is let go at once (it would otherwise wait out the lease unsent). The
        lease's end is made unique to this claim so that only its rows are let go."""
        now = self._clock.now()
        ids = [d.id for d in group]
        until = _lease_end(now)
        claimed = await CLAIM(ids, now, until)
        if claimed == len(group):
            self._held.update(ids)
            return True
        if claimed:
            await RELEASE(ids, until)
        return False

    async def take_each(self, groups: list[list[Delivery]]) -> list[bool]:
        """`take` for each group, in one statement when nobody else holds any of them (the
        usual case: one instance, or the others' targets left alone); otherwise group by
        group, so that each is all or none as `take` says."""
        if len(groups) < 2:
            return [await self.take(group) for group in groups]
        now = self._clock.now()
        ids = [d.id for group in groups for d in group]
        until = _lease_end(now)
        claimed = await CLAIM(padded(ids), now, until)
        if claimed == len(set(ids)):
            self._held.update(ids)
            return [True] * len(groups)
        if claimed:
            await RELEASE(padded(ids), until)
        return [await self.take(group) for group in groups]

    async def let_go(self, group: list[Delivery]) -> None:
        """Not sent after all (its budget is spent): free for the next step at once."""
        self.done(group)
        await UNCLAIM([d.id for d in group])

    def done(self, group: list[Delivery]) -> None:
        """Sent, or put back with its outcome: no longer renewed."""
        self._held.difference_update(d.id for d in group)

    async def keep(self) -> None:
        """Renew the lease of every send in flight until cancelled: a slow send (a topic
        opened first, a timeout) is not taken up by another instance meanwhile."""
        while True:
            await asyncio.sleep(self._clock.sleep_seconds(RENEW_EVERY))
            if not self._held:
                continue
            try:
                await Delivery.filter(
                    id__in=list(self._held),
                    status=DeliveryStatus.PENDING,
                    claimed_until__not_isnull=True,
                ).update(claimed_until=self._clock.now() + LEASE)
            except Exception as error:  # the database is away: the next round tries
                log.warning("Could not renew the outbox claims (%s)", type(error).__name__)

    @staticmethod
    async def release_stale() -> int:
        """After a crash of the only instance (SQLite), its claims need not wait out the
        lease."""
        return await Delivery.filter(
            status=DeliveryStatus.PENDING, claimed_until__not_isnull=True
        ).update(claimed_until=None)


def _lease_end(now: datetime) -> datetime:
    """The end of a claim's lease, unique to that claim: only its own rows are let go."""
    return now + LEASE + timedelta(microseconds=random.randrange(1, 1_000_000))
