"""A customer is typing: the workspace shows it in the conversation's thread, where it can
(Telegram's "typing…" in the topic; Slack gives apps no way to show it).

It is not a delivery: nothing is queued, nothing waits behind messages or spends the
outbox's budget of a group. At most one a conversation every THROTTLE seconds (per
instance); one the workspace refuses or that takes longer than WAIT is dropped, not sent
again — the next keystrokes send another."""

from __future__ import annotations

import asyncio
import logging

from tortoise.expressions import Subquery

from bot.base.clock import Clock
from bot.base.connections import Connections
from storage.models import Conversation, Identity, Thread

log = logging.getLogger(__name__)

THROTTLE = 5.0  # Telegram shows "typing…" for about 5 seconds
WAIT = 2.0
# Conversations remembered; past this the oldest are forgotten (each may then show once more).
REMEMBERED = 10_000


class CustomerTyping:
    def __init__(self, connections: Connections, clock: Clock) -> None:
        self._connections = connections
        self._clock = clock
        self._last: dict[int, float] = {}

    async def customer_typing(self, channel: str, external_id: str) -> bool:
        """True when the workspace was told (False: throttled, nowhere to show, or failed)."""
        # Through the identity's contact to the open conversation, by both unique keys: the
        # conversation's identity has no index, and a join on it scanned the open ones.
        conversation = (
            await Conversation.filter(
                open_key=Subquery(
                    Identity.filter(channel=channel, external_id=external_id).values("contact_id")
                )
            )
            .select_related("thread")
            .first()
        )
        if conversation is None or conversation.thread.external_id is None:
            return False
        if not self._due(conversation.id):
            return False
        return await self._show(conversation.thread)

    def _due(self, conversation_id: int) -> bool:
        now = self._clock.monotonic()
        last = self._last.get(conversation_id)
        if last is not None and now - last < THROTTLE:
            return False
        if len(self._last) >= REMEMBERED:
            for old in list(self._last)[: REMEMBERED // 2]:
                del self._last[old]
        self._last.pop(conversation_id, None)
        self._last[conversation_id] = now
        return True

    async def _show(self, thread: Thread) -> bool:
        shows = self._connections.typing(thread.workspace_kind)
        if shows is None or thread.external_id is None:
            return False
        try:
            async with asyncio.timeout(WAIT):
                return await shows.typing(thread.workspace_chat, thread.external_id)
        except TimeoutError:
            log.info("Typing not shown in thread %s: the workspace took too long", thread.id)
            return False
