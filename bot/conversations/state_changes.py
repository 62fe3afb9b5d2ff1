"""A conversation's own changes of state — reopened, snoozed, woken, its topic — each
audited and told to the watchers (the rules, the API's webhooks, the web chat's read marks).
`DeskActions` adds answering, assignment and operators' statuses to it."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.clock import Clock
from bot.base.i18n import Text, _
from bot.conversations.changes import Change, ChangeWatcher
from bot.outbox.queue import Outbox
from storage.models import Conversation, ConversationStatus, Operator


class StateChanges:
    def __init__(self, *, outbox: Outbox, clock: Clock) -> None:
        self.outbox = outbox
        self.clock = clock
        self._watchers: list[ChangeWatcher] = []

    def watch(self, watcher: ChangeWatcher) -> None:
        """`watcher` hears of every change of status, assignee, line and topic (and the
        workspace flow tells it of operators' messages), after those watching already."""
        self._watchers.append(watcher)

    async def changed(
        self,
        conversation: Conversation,
        event: str,
        *,
        actor: Operator | None = None,
        customer: bool = False,
        text: str = "",
    ) -> None:
        """Tell the watchers; call inside the change's transaction."""
        change = Change(conversation, event, actor, customer, text)
        for watcher in self._watchers:
            await watcher(change)

    # -- reopening ---------------------------------------------------------------------------

    async def reopen(self, conversation: Conversation, *, by: Operator | None) -> bool:
        """A closed conversation is open again, given to `by` when it had nobody (queued
        when a rule reopens it for nobody). False when the customer opened another one
        meanwhile: a contact has one open at a time."""
        try:
            async with in_transaction():
                conversation.open_key = conversation.contact_id  # type: ignore[attr-defined]
                conversation.closed_at = None
                taken = conversation.assignee_id is None and by is not None  # type: ignore[attr-defined]
                if taken:
                    conversation.assignee = by
                assigned = conversation.assignee_id is not None  # type: ignore[attr-defined]
                conversation.status = (
                    ConversationStatus.OPEN if assigned else ConversationStatus.QUEUED
                )
                await conversation.save(
                    update_fields=["status", "open_key", "closed_at", "assignee_id"]
                )
                await audit.record(
                    "status",
                    at=self.clock.now(),
                    actor=by,
                    conversation=conversation,
                    old=ConversationStatus.CLOSED.value,
                    new=conversation.status.value,
                )
                if taken:
                    await audit.record(
                        "assignee",
                        at=self.clock.now(),
                        actor=by,
                        conversation=conversation,
                        old=None,
                        new=by.name if by else None,
                        via="reopen",
                    )
                await self.outbox.refresh(conversation)
                await self.changed(conversation, "status", actor=by)
        except IntegrityError:
            return False
        return True

    # -- snoozing ----------------------------------------------------------------------------

    async def snooze(
        self, conversation: Conversation, until: datetime | None, *, by: Operator | None
    ) -> None:
        """Snoozed until `until`; with None, waiting for the customer: it wakes only when
        they write (a rule's "finish but keep open")."""
        async with in_transaction():
            old = conversation.status
            conversation.status = ConversationStatus.SNOOZED
            conversation.snoozed_until = until
            await conversation.save(update_fields=["status", "snoozed_until"])
            await audit.record(
                "status",
                at=self.clock.now(),
                actor=by,
                conversation=conversation,
                old=old,
                new=ConversationStatus.SNOOZED.value,
                until=until.isoformat() if until else None,
            )
            await self.outbox.refresh(conversation)
            await self.changed(conversation, "status", actor=by)

    async def wake(self, conversation: Conversation, *, by_customer: bool) -> None:
        """A snooze is over: its time came, or the customer wrote first."""
        async with in_transaction():
            assigned = conversation.assignee_id is not None  # type: ignore[attr-defined]
            conversation.status = ConversationStatus.OPEN if assigned else ConversationStatus.QUEUED
            conversation.snoozed_until = None
            await conversation.save(update_fields=["status", "snoozed_until"])
            await audit.record(
                "status",
                at=self.clock.now(),
                conversation=conversation,
                old=ConversationStatus.SNOOZED.value,
                new=conversation.status.value,
                reason="customer" if by_customer else "time",
            )
            text = (
                _("The customer wrote: conversation #{number} is no longer snoozed.")
                if by_customer
                else _("The snooze is over: conversation #{number} is back.")
            )
            await self.outbox.notice_conversation(
                conversation, Text(text, number=conversation.number)
            )
            await self.outbox.refresh(conversation)
            await self.changed(conversation, "status", customer=by_customer)

    # -- topic -------------------------------------------------------------------------------

    async def set_topic(
        self, conversation: Conversation, topic: str, *, by: Operator | None
    ) -> None:
        old = conversation.topic
        async with in_transaction():
            conversation.topic = topic
            await conversation.save(update_fields=["topic"])
            await audit.record(
                "topic",
                at=self.clock.now(),
                actor=by,
                conversation=conversation,
                old=old,
                new=topic,
            )
            await self.changed(conversation, "topic", actor=by)
