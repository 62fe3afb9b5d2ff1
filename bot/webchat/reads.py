""" "Read" marks of a visitor's messages: an operator acted in the conversation after them
(answered it, or took it). Telegram and Slack tell a bot nothing of who read what, so what
an operator did is the signal. The mark is stored on the visitor's lines (a reload shows it)
and shown in the open windows at once."""

from __future__ import annotations

from bot.base.clock import Clock
from bot.conversations.changes import Change
from bot.webchat import CHANNEL
from bot.webchat.transcript import LINK_HOURS, VisitorPush, mark_read, shape
from storage.models import EntryPoint, Identity

# What an operator does that reads the visitor's messages.
READING = ("operator_message", "assignee")


class Reads:
    def __init__(self, push: VisitorPush, clock: Clock, hours: float = LINK_HOURS) -> None:
        self._push = push
        self._clock = clock
        self._hours = hours  # a read line that is a file is shown again with fresh links
        self._channels: dict[int, str] = {}  # an entry point's channel never changes

    async def changed(self, change: Change) -> None:
        """A `DeskActions` watcher, called in the change's transaction."""
        if change.actor is None or change.event not in READING:
            return
        conversation = change.conversation
        if await self._channel(conversation.entry_point_id) != CHANNEL:  # type: ignore[attr-defined]
            return
        visitor = await Identity.get(id=conversation.identity_id).values_list(  # type: ignore[attr-defined]
            "external_id", flat=True
        )
        last = await mark_read(str(visitor), self._clock.now())
        if last is not None:
            self._push.push(last.visitor, shape(last, self._hours))

    async def _channel(self, entry_point_id: int) -> str:
        channel = self._channels.get(entry_point_id)
        if channel is None:
            found = await EntryPoint.get(id=entry_point_id).values_list("channel", flat=True)
            channel = self._channels[entry_point_id] = str(found)
        return channel
