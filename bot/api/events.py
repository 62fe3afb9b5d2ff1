"""Conversation events of API contacts, queued for their entry point's webhook in the
transaction of the change: opened, assigned, status (queued, open, snoozed, closed),
transferred, topic changed. An operator's answer is not one of these: it reaches the
contact as a customer delivery (`customer_sender`), like a Telegram answer."""

from __future__ import annotations

from bot.api.shapes import contact_shape, conversation_shape
from bot.api.webhook_calls import new_event
from bot.base.clock import Clock
from bot.outbox.queue import Outbox
from storage.models import ApiEntryPoint, Conversation, Identity, Operator

# A change DeskActions tells of -> the event's type ("status" names the new status).
CHANGES = {
    "assignee": "conversation.assigned",
    "line": "conversation.transferred",
    "topic": "conversation.topic_changed",
}


class ApiEvents:
    def __init__(self, outbox: Outbox, clock: Clock) -> None:
        self._outbox = outbox
        self._clock = clock

    async def opened(self, conversation: Conversation) -> None:
        await self._queue(conversation, "conversation.opened")

    async def changed(
        self,
        conversation: Conversation,
        event: str,
        *,
        actor: Operator | None = None,
        customer: bool = False,
        text: str = "",
    ) -> None:
        if event == "status":
            await self._queue(conversation, f"conversation.{conversation.status}")
        elif event in CHANGES:
            await self._queue(conversation, CHANGES[event])

    async def _queue(self, conversation: Conversation, event_type: str) -> None:
        entry_point_id = conversation.entry_point_id  # type: ignore[attr-defined]
        if not await ApiEntryPoint.exists(
            entry_point_id=entry_point_id, webhook_url__not_isnull=True
        ):
            return
        identity = await Identity.get(id=conversation.identity_id)  # type: ignore[attr-defined]
        assignee_id = conversation.assignee_id  # type: ignore[attr-defined]
        assignee = await Operator.get_or_none(id=assignee_id) if assignee_id else None
        event = new_event(
            event_type,
            self._clock.now(),
            conversation=conversation_shape(conversation, assignee),
            contact=contact_shape(identity),
        )
        await self._outbox.to_webhook(entry_point_id, event, conversation)
