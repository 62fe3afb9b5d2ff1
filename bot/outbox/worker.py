"""The delivery worker: due deliveries, in order per target, paced, retried, never dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from bot.base.clock import Clock
from bot.base.log_context import about
from bot.base.metrics import Metrics
from bot.base.redact import Redactor
from bot.outbox.claims import Claims
from bot.outbox.delivery_plan import Plan, Unavailable
from bot.outbox.delivery_planner import HEADER_REFRESHES_TOGETHER
from bot.outbox.executor import DeliveryExecutor
from bot.outbox.pacing import Pacer
from bot.outbox.queue import TargetKind
from bot.outbox.setbacks import UNAVAILABLE_HOLD, Setbacks, target_kind
from bot.outbox.shares import POLL, TTL, AllMine, Shares
from bot.outbox.statements import (
    ALBUM,
    BOOKKEEPING_OPS,
    DUE_HEADS,
    PENDING_OF,
    UPCOMING,
)
from storage.models import Delivery

log = logging.getLogger(__name__)

HEADER_PREFIX = f"{TargetKind.HEADER}:"
# A thread's title and card and a line's receipts (`BOOKKEEPING_OPS`, which DUE_HEADS reads
# after the messages): while messages are due, they wait, at most this long.
BOOKKEEPING_WAITS_AT_MOST = 2.0
# Targets whose pending deliveries go in one step, at most so many: a thread's header
# refreshes (superseded by the last) and a line's receipts (reactions, paced one by one).
TAKEN_TOGETHER = {TargetKind.HEADER: HEADER_REFRESHES_TOGETHER, TargetKind.CONFIRM: 20}
# Heads planned, then claimed in one statement, at most so many at a time: as many as may be
# sent at once (the worker's concurrency), so that the first of a long step goes at once.
CLAIMED_TOGETHER = 16


Ready = tuple[list[Delivery], Plan]  # a head with what goes with it, and its plan
Going = tuple[Delivery, list[Delivery], Plan]  # the head too


class OutboxWorker:
    def __init__(
        self,
        *,
        executor: DeliveryExecutor,
        pacer: Pacer,
        clock: Clock,
        redactor: Redactor,
        metrics: Metrics,
        shares: Shares | None = None,
        max_attempts: int = 8,
        concurrency: int = 16,
        batch: int = 200,
    ) -> None:
        self._executor = executor
        self._pacer = pacer
        self._clock = clock
        self._metrics = metrics
        self._shares: Shares = shares or AllMine()
        self._setbacks = Setbacks(
            executor=executor,
            pacer=pacer,
            clock=clock,
            redactor=redactor,
            metrics=metrics,
            max_attempts=max_attempts,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._batch = batch
        self._wake = asyncio.Event()
        self._inflight: set[str] = set()
        self._held: dict[str, float] = {}
        # Buckets a message is waiting for (until when): header edits leave them alone.
        self._starved: dict[str, float] = {}
        # Buckets a message waited for lately (until when): a customer's queued texts go
        # through them as one message (`DeliveryExecutor.widen`).
        self._scarce: dict[str, float] = {}
        # Bookkeeping targets put off behind messages (since when).
        self._put_off: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._claims = Claims(clock)
        self._stopping = False
        self._stepping_since: float | None = None
        self.sent = 0

    def wake(self) -> None:
        """Something was queued (and committed): look now, and tell the other instances
        whose targets it went to."""
        self._wake.set()
        self._shares.nudge()

    def resume(self, component: str) -> None:
        """A workspace or channel came (back) up: what waited for it goes now."""
        log.debug("%s is connected: sending what waited for it", component)
        self._held.clear()
        self.wake()

    async def release_stale_claims(self) -> int:
        return await Claims.release_stale()

    async def run(self) -> None:
        log.info("Outbox worker started")
        helpers = [
            asyncio.create_task(self._claims.keep()),
            asyncio.create_task(self._shares.run(self.wake, self._working)),
        ]
        try:
            while not self._stopping:
                self._stepping_since = self._clock.monotonic()
                try:
                    pause = await self.step()
                except Exception:
                    log.exception("Outbox step failed; trying again shortly")
                    pause = 1.0
                finally:
                    self._stepping_since = None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._wake.wait(), timeout=self._clock.sleep_seconds(pause)
                    )
                self._wake.clear()
        finally:
            await self._shares.leave()
            await self._finish_inflight()
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    def _working(self) -> bool:
        """Not stuck in a step: a worker that is keeps no share of the outbox."""
        since = self._stepping_since
        return since is None or self._clock.monotonic() - since < TTL

    async def stop(self) -> None:
        self._stopping = True
        self.wake()

    async def _finish_inflight(self) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    async def step(self) -> float:
        """Start every delivery that may go now; return how long until one more may."""
        now = self._clock.now()
        mono = self._clock.monotonic()
        if len(self._held) > 1000:
            self._held = {k: v for k, v in self._held.items() if v > mono}
        candidates = await DUE_HEADS(now, self._batch)
        pause = 5.0
        if len(self._starved) > 1000:
            self._starved = {k: v for k, v in self._starved.items() if v > mono}
        if len(self._scarce) > 1000:
            self._scarce = {k: v for k, v in self._scarce.items() if v > mono}
        if len(self._put_off) > 1000:
            self._put_off = {k: v for k, v in self._put_off.items() if v > mono - 60}
        # Messages first (DUE_HEADS reads them first): customers' words and operators'
        # answers before titles, cards and receipts, which wait while messages are due.
        heads = [
            head
            for head in candidates
            if head.target not in self._inflight and self._shares.mine(head.target)
        ]
        unheld = [head for head in heads if self._held.get(head.target, 0.0) <= mono]
        going = [head for head in unheld if not _is_bookkeeping(head)]
        messages_due = bool(going)
        # What planning each reads, for all at once; the headers' refreshes when they go now
        # (while messages are due they are put off behind them).
        headers = [] if messages_due else [head for head in unheld if _is_header(head)]
        await self._executor.read_ahead(going, headers)
        # A chunk's heads are planned, then claimed in one statement, then started one by
        # one: the pacing stamp of each is taken right before its send, and a 429 of the send
        # before is heard first. (Claiming and pacing a whole step's groups before sending
        # any let sends already paced go into a group after a 429 answered the first.)
        for start in range(0, len(heads), CLAIMED_TOGETHER):
            ready: list[Going] = []
            for head in heads[start : start + CLAIMED_TOGETHER]:
                wait = await self._ready(head, messages_due, mono, ready)
                pause = min(pause, wait)
            taken = await self._claims.take_each([group for _, group, _ in ready])
            claimed = [one for one, took in zip(ready, taken, strict=True) if took]
            for index, (head, group, plan) in enumerate(claimed):
                try:
                    pause = min(pause, await self._start(head, group, plan, mono))
                except BaseException:
                    for _, rest, _ in claimed[index + 1 :]:
                        await self._claims.let_go(rest)
                    raise
        upcoming = await UPCOMING(now)
        if upcoming:
            pause = min(pause, max((upcoming - now).total_seconds(), 0.01))
        if not self._shares.alone:  # a nudge may come before its delivery can be read
            pause = min(pause, POLL)
        return max(pause, 0.01)

    async def _ready(
        self,
        head: Delivery,
        messages_due: bool,
        mono: float,
        ready: list[Going],
    ) -> float:
        """Add `head` with its group and plan to `ready` when it may go now; else how long
        until it may (math.inf: not up to time)."""
        held = self._held.get(head.target, 0.0) - mono
        if held > 0:
            return held
        if _is_bookkeeping(head):
            later = self._put_off_behind_messages(head.target, messages_due, mono)
            if later > 0:
                return later
        prepared = await self._prepare(head, mono)
        if isinstance(prepared, float):  # its workspace or channel is down
            return prepared
        if prepared is None:
            return math.inf
        group, plan = prepared
        starved = self._starved_until(plan) - mono if _is_header(head) else 0.0
        if starved > 0:  # a title or card edit never takes a slot a message waits for
            return starved
        ready.append((head, group, plan))
        return math.inf

    async def _start(self, head: Delivery, group: list[Delivery], plan: Plan, mono: float) -> float:
        """Send the claimed `group` when its budget allows, in a task of its own; else let it
        go and return how long until it may (math.inf when it went)."""
        starved = self._starved_until(plan) - mono if _is_header(head) else 0.0
        if starved > 0:  # a message of this chunk found its budget spent meanwhile
            await self._claims.let_go(group)
            return starved
        await self._slots.acquire()
        try:
            wait = await self._reserve(plan, str(head.id))
        except BaseException:
            await self._claims.let_go(group)
            self._slots.release()
            raise
        if wait > 0:
            await self._claims.let_go(group)
            self._slots.release()
            self._held[head.target] = mono + wait
            if not _is_header(head):
                for bucket in plan.buckets:
                    until = max(self._starved.get(bucket.key, 0.0), mono + wait)
                    self._starved[bucket.key] = until
                    self._scarce[bucket.key] = mono + wait + bucket.per
            return wait
        self._inflight.add(head.target)
        task = asyncio.create_task(self._send(group, plan))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return math.inf

    def _put_off_behind_messages(self, target: str, messages_due: bool, mono: float) -> float:
        """How long the title, card or receipt edits of `target` wait still: while messages
        are due, up to BOOKKEEPING_WAITS_AT_MOST from when they were first put off (then they
        go with the messages). They cost the desk as much as the messages do, and under load
        the customer's answer and the operators' view of new words come first."""
        if not messages_due:
            self._put_off.pop(target, None)
            return 0.0
        since = self._put_off.setdefault(target, mono)
        left = since + BOOKKEEPING_WAITS_AT_MOST - mono
        if left <= 0:
            self._put_off.pop(target, None)
        return max(left, 0.0)

    async def _reserve(self, plan: Plan, ticket: str) -> float:
        """Take the budget of whoever may send `plan` now: a helper with room first, the
        workspace's own bot last, which keeps its budget for what only it sends (new topics,
        cards). Nothing is taken when none has room: the shortest wait is returned."""
        wait = math.inf
        for helper in plan.helpers:
            wait = min(wait, await self._pacer.reserve(helper.buckets, plan.slots, ticket=ticket))
            if wait == 0:
                plan.voice = helper.name
                return 0.0
        return min(wait, await self._pacer.reserve(plan.buckets, plan.slots, ticket=ticket))

    def _starved_until(self, plan: Plan) -> float:
        return max((self._starved.get(b.key, 0.0) for b in plan.buckets), default=0.0)

    async def _group(self, head: Delivery) -> list[Delivery]:
        """An album goes as one call: the head and every pending part with its group key.
        A thread's header refreshes go together (the last supersedes those before it), and
        so do a line's receipts (one claim and one mark for many reactions)."""
        together = TAKEN_TOGETHER.get(head.target.partition(":")[0])
        if together:
            ahead = self._executor.planner.header_group_ahead(head.target, together)
            return ahead if ahead is not None else list(await PENDING_OF(head.target, together))
        if not head.group_key:
            return [head]
        return list(await ALBUM(head.target, head.group_key))

    async def _prepare(self, head: Delivery, mono: float) -> Ready | float | None:
        """`head` with the deliveries that go with it and its plan; or how long to wait when
        its workspace or channel is down; None when it is not to go (gone, or failed)."""
        group = await self._group(head)
        if not group:  # sent or given up since it was read
            return None
        try:
            plan = await self._executor.plan(group)
            if not _is_header(head):
                scarce = any(self._scarce.get(b.key, 0.0) > mono for b in plan.buckets)
                group, plan = await self._executor.widen(group, plan, scarce=scarce)
        except Unavailable:
            self._held[head.target] = mono + UNAVAILABLE_HOLD
            return UNAVAILABLE_HOLD
        except Exception as error:
            await self._setbacks.fail(group, error)
            return None
        return group, plan

    async def _send(self, group: list[Delivery], plan: Plan) -> None:
        head = group[0]
        with about(conversation_id=head.conversation_id, delivery_id=head.id):  # type: ignore[attr-defined]
            await self._send_about(group, plan)

    async def _send_about(self, group: list[Delivery], plan: Plan) -> None:
        target = group[0].target
        try:
            await self._executor.execute(group, plan)
            self.sent += len(group)
            log.debug("Delivery %s to %s sent", group[0].id, target)
            self._metrics.sent(target_kind(group[0]), [d.created_at for d in group])
        except Exception as error:
            wait = await self._setbacks.after(group, plan, error)
            if wait > 0:
                self._held[target] = self._clock.monotonic() + wait
        finally:
            try:
                await self._pacer.restamp(str(group[0].id))
            except Exception:
                log.exception("Could not restamp the pacing of delivery %s", group[0].id)
            self._inflight.discard(target)
            self._claims.done(group)
            self._slots.release()
            self.wake()


def _is_header(delivery: Delivery) -> bool:
    return delivery.target.startswith(HEADER_PREFIX)


def _is_bookkeeping(delivery: Delivery) -> bool:
    return delivery.op in BOOKKEEPING_OPS
