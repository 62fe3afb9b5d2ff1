"""Time-driven work: snoozes that are over, auto-close, auto-away and the queue. Where
several instances share a desk, each round is run by the one whose turn it is."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from tortoise.expressions import F

from bot.attachments.store import drop_older_than
from bot.base.i18n import Text, _
from bot.base.turns import Turns, only_instance
from bot.conversations import closing
from bot.conversations.desk_actions import DeskActions
from storage.models import Conversation, ConversationStatus, Line, Operator, OperatorStatus

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        actions: DeskActions,
        interval: float,
        wake: Callable[[], None],
        turns: Turns = only_instance,
    ) -> None:
        self._wake = wake  # the outbox worker: what a tick queued goes out now
        self._actions = actions
        self._interval = interval
        self._turns = turns
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.round()
            except Exception:  # the next tick tries again; a bad row must not stop the desk
                log.exception("Scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)

    async def stop(self) -> None:
        self._stopping.set()

    async def round(self) -> bool:
        """One tick if it is this instance's turn; whether it was."""
        async with self._turns("scheduler") as mine:
            if mine:
                await self.tick()
            return mine

    async def tick(self) -> None:
        await self.wake_snoozed()
        await self.auto_close()
        await self.auto_away()
        await self.drop_old_files()
        for line in await Line.all():
            await self._actions.drain(line)
        self._wake()

    async def wake_snoozed(self) -> int:
        due = await Conversation.filter(
            status=ConversationStatus.SNOOZED, snoozed_until__lte=self._actions.clock.now()
        )
        for conversation in due:
            await self._actions.wake(conversation, by_customer=False)
        return len(due)

    async def auto_close(self) -> int:
        """Answered conversations whose customer has been silent for the line's time."""
        closed = 0
        now = self._actions.clock.now()
        for line in await Line.filter(auto_close_minutes__gt=0):
            silent_since = now - timedelta(minutes=line.auto_close_minutes or 0)
            quiet = await Conversation.filter(
                line_id=line.id,
                status=ConversationStatus.OPEN,
                last_customer_message_at__lte=silent_since,
                last_operator_message_at__gt=F("last_customer_message_at"),
            )
            for conversation in quiet:
                await self._actions.tell_thread(
                    conversation,
                    Text(
                        _("Closed automatically: no message from the customer for {minutes} min."),
                        minutes=line.auto_close_minutes,
                    ),
                )
                await closing.finish(self._actions, conversation, by=None, result="auto")
                closed += 1
        return closed

    async def drop_old_files(self) -> int:
        """Web chat and API files past RELAYDESK_FILES_RETENTION_DAYS (0: kept for good)."""
        days = self._actions.settings.files_retention_days
        if not days:
            return 0
        return await drop_older_than(self._actions.clock.now() - timedelta(days=days))

    async def auto_away(self) -> int:
        minutes = self._actions.settings.away_after_minutes
        if not minutes:
            return 0
        idle_since = self._actions.clock.now() - timedelta(minutes=minutes)
        idle = await Operator.filter(status=OperatorStatus.FREE, last_seen_at__lte=idle_since)
        for operator in idle:
            await self._actions.set_status(operator, OperatorStatus.AWAY, by=None, auto=True)
        return len(idle)
