"""What operators, the scheduler and the admin panel do to conversations and to
operators' statuses: one place that changes them, audits it and refreshes the thread
(answering, assignment and statuses here; reopening, snoozing and topics in
`state_changes`, which this extends)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.clock import Clock
from bot.base.connections import Connections
from bot.base.events import TEXT_ONLY
from bot.base.i18n import Text
from bot.base.settings import Settings
from bot.conversations import assignment
from bot.conversations.message_links import record_written
from bot.conversations.state_changes import StateChanges
from bot.directory.live_settings import LiveSettings
from bot.outbox.queue import Outbox
from storage.models import (
    Conversation,
    ConversationStatus,
    DeliveryKind,
    Direction,
    Line,
    LineMember,
    Message,
    Operator,
    OperatorStatus,
    RoutingPolicy,
    Thread,
)
from storage.prepared import Prepared, get_by_id

log = logging.getLogger(__name__)

SEEN_EVERY = timedelta(minutes=1)  # far finer than any auto-away time


# Only a round-robin line reads who got its last conversation. Writing it on every line would
# lock the line's row until the assigning transaction commits, and every first answer and
# every new conversation of the line would wait for the one before (PostgreSQL): a row
# that the WHERE leaves out is not locked.
_LAST_ASSIGNED: Prepared[int] = Prepared(
    Line,
    lambda line_id, operator_id: Line.filter(
        id=line_id, routing_policy=RoutingPolicy.ROUND_ROBIN.value
    ).update(last_assigned_id=operator_id),
)


class Answered(NamedTuple):
    """An operator's answer in a conversation (`DeskActions.answered_all`); `line`: the one
    the answer came from, when read already."""

    conversation: Conversation
    operator: Operator
    line: Line | None = None


class Assignment(NamedTuple):
    conversation: Conversation
    operator: Operator | None  # None: back to the queue
    by: Operator | None
    line: Line | None = None  # the conversation's, when read already


async def _save(conversations: list[Conversation], fields: tuple[str, ...]) -> None:
    """Save `fields` of each conversation: one statement for all."""
    if len(conversations) == 1:
        await conversations[0].save(update_fields=list(fields))
    elif conversations:
        await Conversation.bulk_update(conversations, fields=list(fields))


class DeskActions(StateChanges):
    def __init__(
        self,
        *,
        outbox: Outbox,
        clock: Clock,
        settings: Settings,
        live: LiveSettings,
        connections: Connections,
    ) -> None:
        super().__init__(outbox=outbox, clock=clock)
        self.settings = settings
        self.live = live  # the settings the panel changes while running
        self._connections = connections
        self._seen_at: dict[int, datetime] = {}  # operators' last_seen_at as written here

    def thread_link(self, thread: Thread) -> str | None:
        sender = self._connections.workspace(thread.workspace_kind)
        if sender is None or thread.external_id is None:
            return None
        return sender.thread_link(thread.workspace_chat, thread.external_id)

    # -- answering ---------------------------------------------------------------------------

    async def answered(
        self, conversation: Conversation, operator: Operator, line: Line | None = None
    ) -> bool:
        """Bookkeeping of an operator's answer; True when the conversation changed state
        (assigned to the replier). Call inside the answer's transaction. `line`: the one
        the answer came from, when the caller has read it (used if it is the conversation's)."""
        (changed,) = await self.answered_all([Answered(conversation, operator, line)])
        return changed

    async def answered_all(self, answers: list[Answered]) -> list[bool]:
        """`answered` for several answers, each in a conversation of its own, with one
        statement for the conversations that only note the answer and one for those it
        assigns to their repliers."""
        now = self.clock.now()
        # Only what an answer changes: a full save would write back every column as this
        # request read it, over a close or a transfer that landed meanwhile.
        answer = ("first_response_at", "last_operator_message_at")
        noted, assigned = [], []
        for conversation, operator, line in answers:
            if conversation.first_response_at is None:
                conversation.first_response_at = now
            conversation.last_operator_message_at = now
            if conversation.status == ConversationStatus.QUEUED and self.live.assign_on_reply:
                assigned.append(Assignment(conversation, operator, by=operator, line=line))
            else:
                noted.append(conversation)
        await _save(noted, answer)
        await self._set_assignees(assigned, via="reply", also=answer)
        changed = {id(made.conversation) for made in assigned}
        return [id(answer.conversation) in changed for answer in answers]

    async def send_text(self, conversation: Conversation, operator: Operator, text: str) -> Message:
        """Send `text` to the customer as `operator`'s answer (a quick reply, say)."""
        async with in_transaction():
            message = await record_written(
                conversation,
                direction=Direction.OUT,
                author=operator,
                text=text,
                content={TEXT_ONLY: True},
            )
            changed = await self.answered(conversation, operator)
            await self.outbox.to_customer(conversation, DeliveryKind.RELAY, message=message)
            if changed:
                await self.outbox.refresh(conversation)
        return message

    # -- assignment --------------------------------------------------------------------------

    async def _set_assignee(
        self,
        conversation: Conversation,
        operator: Operator | None,
        *,
        by: Operator | None,
        via: str,
        note: str | None = None,
        line: Line | None = None,
    ) -> None:
        """`line`: the conversation's, when read already (only round robin keeps who was
        last)."""
        one = Assignment(conversation, operator, by, line)
        await self._set_assignees([one], via=via, note=note)

    async def _set_assignees(
        self,
        assignments: list[Assignment],
        *,
        via: str,
        note: str | None = None,
        also: tuple[str, ...] = (),
    ) -> None:
        """Each conversation (none twice) to its operator, saved in one statement with `also`,
        its other changed fields; audited in one more."""
        now = self.clock.now()
        details = {"via": via} | ({"note": note} if note else {})
        entries = []
        for conversation, operator, by, _line in assignments:
            old = await conversation.assignee if conversation.assignee_id else None  # type: ignore[attr-defined]
            conversation.assignee = operator
            if conversation.status != ConversationStatus.SNOOZED:
                conversation.status = (
                    ConversationStatus.OPEN if operator else ConversationStatus.QUEUED
                )
            conversation.queued_at = None if operator else now
            entries.append(
                audit.entry(
                    "assignee",
                    at=now,
                    actor=by,
                    conversation=conversation,
                    old=old.name if old else None,
                    new=operator.name if operator else None,
                    **details,
                )
            )
        await _save(
            [assignment.conversation for assignment in assignments],
            ("assignee_id", "status", "queued_at", *also),
        )
        for conversation, operator, _by, line in assignments:
            known = line is not None and line.id == conversation.line_id  # type: ignore[attr-defined]
            round_robin = not known or line.routing_policy == RoutingPolicy.ROUND_ROBIN  # type: ignore[union-attr]
            if operator is not None and round_robin:
                await _LAST_ASSIGNED(conversation.line_id, operator.id)  # type: ignore[attr-defined]
        await audit.record_all(entries)
        for made in assignments:
            await self.changed(made.conversation, "assignee", actor=made.by)

    async def assign(
        self,
        conversation: Conversation,
        operator: Operator,
        *,
        by: Operator | None,
        via: str,
        note: str | None = None,
        refresh: bool = True,
    ) -> None:
        async with in_transaction():
            await self._set_assignee(conversation, operator, by=by, via=via, note=note)
            if refresh:
                await self.outbox.refresh(conversation)

    async def route(
        self,
        conversation: Conversation,
        *,
        refresh: bool = True,
        exclude: Iterable[int] = (),
        line: Line | None = None,
    ) -> Operator | None:
        """Give a waiting conversation to a free operator of its line, or leave it queued.
        Routings of one line take turns (the line's row is locked until the choice is
        stored): two first messages at once must not both pick the same least busy operator.
        The lock is FOR NO KEY UPDATE, which rows referring to the line (a new conversation)
        do not wait for, so two such transactions cannot deadlock on it. Only a choice takes
        the lock: where nobody is free (a manual line, every operator away or full) the
        conversation is queued without it, and a burst of new customers is not taken in one
        at a time; an operator who frees up meanwhile drains the queue. `line`: the
        conversation's, when the caller read it in this transaction."""
        if line is None or line.id != conversation.line_id:  # type: ignore[attr-defined]
            line = await get_by_id(Line, conversation.line_id)  # type: ignore[attr-defined]
        if await assignment.pick(line, exclude) is None:
            await self._queued(conversation)
            return None
        async with in_transaction():  # choose again, in turn
            line = await Line.select_for_update(no_key=True).get(id=line.id)
            operator = await assignment.pick(line, exclude)
            if operator is None:
                await self._queued(conversation)
                return None
            await self.assign(
                conversation, operator, by=None, via=line.routing_policy, refresh=refresh
            )
        log.info("Conversation #%s assigned to %s (%s)", conversation.id, operator.name, line.slug)
        return operator

    async def _queued(self, conversation: Conversation) -> None:
        """`conversation` waits in its line's queue, since now if it did not already."""
        if conversation.queued_at is None:
            conversation.queued_at = self.clock.now()
            await conversation.save(update_fields=["queued_at"])

    async def requeue(
        self, conversation: Conversation, *, by: Operator | None, via: str, route: bool = True
    ) -> Operator | None:
        """Back to the queue (and on to someone else free, unless `route` is off)."""
        previous = conversation.assignee_id  # type: ignore[attr-defined]
        async with in_transaction():
            await self._set_assignee(conversation, None, by=by, via=via)
            await self.outbox.refresh(conversation)
        if not route:
            return None
        return await self.route(conversation, exclude=[previous] if previous else [])

    async def drain(self, line: Line) -> int:
        """Hand queued conversations of `line`, oldest first, to whoever is free for them."""
        given = 0
        waiting = await Conversation.filter(
            line_id=line.id, status=ConversationStatus.QUEUED, assignee_id=None
        ).order_by("queued_at", "id")
        for conversation in waiting:
            await line.refresh_from_db(fields=["last_assigned_id"])
            if await self.route(conversation) is None:
                break
            given += 1
        return given

    async def drain_lines_of(self, operator: Operator) -> int:
        line_ids = await LineMember.filter(operator_id=operator.id).values_list(
            "line_id", flat=True
        )
        given = 0
        for line in await Line.filter(id__in=list(line_ids)):
            given += await self.drain(line)
        return given

    # -- operators' statuses -----------------------------------------------------------------

    async def set_status(
        self, operator: Operator, status: OperatorStatus, *, by: Operator | None, auto: bool = False
    ) -> bool:
        """False when nothing changed. A free operator picks up the queue at once."""
        if operator.status == status and operator.away_auto == auto:
            return False
        old = operator.status
        async with in_transaction():
            operator.status = status
            operator.away_auto = auto
            operator.status_changed_at = self.clock.now()
            await operator.save(update_fields=["status", "away_auto", "status_changed_at"])
            await audit.record(
                "status",
                at=self.clock.now(),
                actor=by,
                operator=operator,
                old=old,
                new=status.value,
                auto=auto,
            )
        if status == OperatorStatus.FREE:
            await self.drain_lines_of(operator)
        return True

    async def touch(self, operator: Operator) -> None:
        """An operator did something: they are at their desk. Idleness made them "away"; being
        back makes them free again. Written at most once a minute: this runs on every message."""
        now = self.clock.now()
        # As read, or as this instance last wrote it: the answers of one moment read their
        # operator together, each before any of them wrote.
        seen = max(
            filter(None, (operator.last_seen_at, self._seen_at.get(operator.id))), default=None
        )
        if seen is None or now - seen >= SEEN_EVERY:
            operator.last_seen_at = self._seen_at[operator.id] = now
            await Operator.filter(id=operator.id).update(last_seen_at=now)
        if operator.status == OperatorStatus.AWAY and operator.away_auto:
            await self.set_status(operator, OperatorStatus.FREE, by=operator)

    # -- words -------------------------------------------------------------------------------

    async def tell_thread(self, conversation: Conversation, text: Text) -> None:
        await self.outbox.notice_conversation(conversation, text)

    async def tell_customer(self, conversation: Conversation, text: Text) -> None:
        await self.outbox.notice_customer(conversation, text)
