"""Conversation events of API contacts, queued for their entry point's webhook in the
transaction of the change: opened, assigned, status (queued, open, snoozed, closed),
transferred, topic changed. An operator's answer is not one of these: it reaches the
contact as a customer delivery (`customer_sender`), like a Telegram answer."""

from __future__ import annotations

from bot.api.customer_sender import CHANNEL as API_CHANNEL
from bot.api.shapes import contact_shape, conversation_shape
from bot.api.webhook_calls import new_event
from bot.base.clock import Clock
from bot.conversations.changes import Change
from bot.outbox.queue import Outbox
from storage.models import ApiEntryPoint, Conversation, EntryPoint, Identity, Operator

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
        # An entry point's channel never changes: other channels' changes cost no statement.
        self._channels: dict[int, str] = {}

    async def opened(self, conversation: Conversation) -> None:
        await self._queue(conversation, "conversation.opened")

    async def changed(self, change: Change) -> None:
        if change.event == "status":
            await self._queue(change.conversation, f"conversation.{change.conversation.status}")
        elif change.event in CHANGES:
            await self._queue(change.conversation, CHANGES[change.event])

    async def _queue(self, conversation: Conversation, event_type: str) -> None:
        entry_point_id = conversation.entry_point_id  # type: ignore[attr-defined]
        if await self._channel(entry_point_id) != API_CHANNEL:
            return
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

    async def _channel(self, entry_point_id: int) -> str:
        channel = self._channels.get(entry_point_id)
        if channel is None:
            channel = await EntryPoint.get(id=entry_point_id).values_list("channel", flat=True)
            self._channels[entry_point_id] = channel  # type: ignore[assignment]
        return channel  # type: ignore[return-value]
