"""What becomes of a send that did not go: tried again later (after a 429's wait, once its
thread is open, after a back-off), held while its workspace is down without spending its
attempts, or given up — marked dead, with the reason shown to the operators."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from bot.base.clock import Clock
from bot.base.log_context import about
from bot.base.metrics import Metrics
from bot.base.ports import PermanentError, RetryAfter, ThreadGone
from bot.base.redact import Redactor
from bot.outbox.delivery_plan import Plan
from bot.outbox.executor import DeliveryExecutor
from bot.outbox.pacing import Pacer
from bot.outbox.thread_header import NotYet
from storage.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

# How often a target whose workspace or channel is down is looked at again; its coming back
# wakes the worker sooner (`OutboxWorker.resume`).
UNAVAILABLE_HOLD = 5.0


class Setbacks:
    def __init__(
        self,
        *,
        executor: DeliveryExecutor,
        pacer: Pacer,
        clock: Clock,
        redactor: Redactor,
        metrics: Metrics,
        max_attempts: int,
    ) -> None:
        self._executor = executor
        self._pacer = pacer
        self._clock = clock
        self._redactor = redactor
        self._metrics = metrics
        self._max_attempts = max_attempts

    async def after(self, group: list[Delivery], plan: Plan, error: Exception) -> float:
        """Store what becomes of `group`, whose send raised `error`; return how many seconds
        its target waits before anything more goes to it (0: no wait)."""
        target = group[0].target
        if isinstance(error, NotYet):
            await self._retry(group, error.seconds, count=False, error=error, failure=False)
            return error.seconds
        if isinstance(error, RetryAfter):
            log.warning("429 on %s: waiting %.1fs", target, error.seconds)
            self._metrics.rate_limited(target_kind(group[0]))
            if error.bucket:
                await self._pacer.hold(error.bucket, error.seconds)
            await self._retry(group, error.seconds, count=False, error=error, failure=False)
            return error.seconds
        if isinstance(error, ThreadGone):
            await self._executor.thread_gone(group)
            await self._retry(group, 0.0, count=True, error=error)
            return 0.0
        if isinstance(error, PermanentError):
            await self.fail(group, error)
            return 0.0
        # Network, 5xx, anything unexpected: back off and retry.
        if self._executor.waiting_for(plan.component):
            # Its workspace is known to be down: wait for it without spending attempts, so a
            # long outage leaves the delivery queued, not dead.
            await self._retry(group, 0.0, count=False, error=error)
            return UNAVAILABLE_HOLD
        attempts = group[0].attempts + 1
        delay = min(300.0, 2.0**attempts) * (0.5 + random.random() / 2)
        log.warning(
            "Delivery %s to %s failed (%s); retry %d in %.1fs",
            group[0].id,
            target,
            self.describe(error),
            attempts,
            delay,
        )
        await self._retry(group, delay, count=True, error=error)
        return 0.0

    async def _retry(
        self,
        group: list[Delivery],
        delay: float,
        *,
        count: bool,
        error: BaseException,
        failure: bool = True,
    ) -> None:
        """`count`: the attempt is spent; `failure`: a send failed (not a 429, nor a header
        waiting for its thread), which `relaydesk_delivery_retries` counts."""
        attempts = group[0].attempts + (1 if count else 0)
        if attempts >= self._max_attempts:
            await self.fail(group, error)
            return
        if failure:
            self._metrics.retried(target_kind(group[0]))
        await Delivery.filter(id__in=[d.id for d in group]).update(
            attempts=attempts,
            not_before=self._clock.now() + timedelta(seconds=delay),
            claimed_until=None,
            last_error=self.describe(error),
        )

    async def fail(self, group: list[Delivery], error: BaseException) -> None:
        """Give `group` up: dead, and the operators are told where they work."""
        head = group[0]
        with about(conversation_id=head.conversation_id, delivery_id=head.id):  # type: ignore[attr-defined]
            await self._give_up(group, error)
        self._metrics.dead(target_kind(head), len(group))

    async def _give_up(self, group: list[Delivery], error: BaseException) -> None:
        head = group[0]
        log.error("Delivery %s to %s is dead: %s", head.id, head.target, self.describe(error))
        await Delivery.filter(id__in=[d.id for d in group]).update(
            status=DeliveryStatus.DEAD,
            claimed_until=None,
            last_error=self.describe(error),
            done_at=self._clock.now(),
        )
        try:
            await self._executor.dead(group, error)
        except Exception:
            log.exception("Could not tell operators about dead delivery %s", head.id)

    def describe(self, error: BaseException) -> str:
        """The bridges already redact what they raise; this catches whatever slipped past."""
        return self._redactor.describe(error)[:1000]


def target_kind(delivery: Delivery) -> str:
    return delivery.target.partition(":")[0]
