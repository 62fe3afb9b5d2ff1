"""With Redis, every instance's windows hear at once of every new line, whichever instance
wrote it: a line pushed here is shown in this process's windows and published on a Redis
channel; each instance shows what the others published in its own windows. Without Redis the
hub is alone, as before. Published lines are not stored by Redis: an instance that was not
listening reads them from the transcript (a window reads it at every connect and long poll)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

from bot.base.redis_channel import listen
from bridges.webchat.hub import Hub

log = logging.getLogger(__name__)

CHANNEL = "rd:webchat:lines"
# Lines waiting to be published when Redis is slow or away; past this they are dropped (with
# a warning): the windows elsewhere read them from the transcript at their next poll.
WAITING_LIMIT = 10_000
RETRY_SECONDS = 1.0


class Fanout:
    def __init__(self, hub: Hub, redis: Any) -> None:
        self._hub = hub
        self._redis = redis
        self._me = uuid.uuid4().hex  # this instance: its own lines come back and are skipped
        self._waiting: asyncio.Queue[str] = asyncio.Queue(WAITING_LIMIT)
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()

    def announce(self, visitor: str, item: dict[str, Any]) -> None:
        """The hub's hook: called for each line it shows, never waits."""
        message = json.dumps({"from": self._me, "visitor": visitor, "item": item})
        try:
            self._waiting.put_nowait(message)
        except asyncio.QueueFull:
            log.warning(
                "Web chat lines are not reaching Redis; other instances' windows "
                "read them at their next poll"
            )

    async def start(self, within: float = 5.0) -> None:
        """Listening (as far as Redis answers within `within` seconds) before any line is
        written, so that none is missed here."""
        self._tasks = [
            asyncio.create_task(self._publish()),
            asyncio.create_task(self._listen()),
        ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), within)
        self._hub.announce = self.announce

    async def stop(self) -> None:
        self._hub.announce = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _publish(self) -> None:
        while True:
            message = await self._waiting.get()
            try:
                await self._redis.publish(CHANNEL, message)
            except Exception as error:  # Redis is away: the others poll the transcript
                log.warning("Could not publish a web chat line (%s)", type(error).__name__)

    async def _listen(self) -> None:
        await listen(
            self._redis,
            CHANNEL,
            self._show,
            what="Web chat lines of other instances",
            subscribed=self._listening,
            retry=RETRY_SECONDS,
        )

    def _show(self, data: bytes | str) -> None:
        try:
            line = json.loads(data)
            if line["from"] == self._me:
                return
            visitor, item = str(line["visitor"]), dict(line["item"])
        except (ValueError, KeyError, TypeError):
            log.warning("A web chat line on %s that is not one of ours was ignored", CHANNEL)
            return
        self._hub.show(visitor, item)
