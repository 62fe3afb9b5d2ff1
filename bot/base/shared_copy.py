"""A copy, in each instance's memory, of something stored that changes rarely and is read
often (the settings the panel edits, the rules).

Several instances may serve one database, so a change is stored first and then announced:
with Redis by bumping a version counter that every instance reads each `refresh_seconds`
(reloading only when it moved), without Redis by every instance reloading that often.
Readers read the last loaded copy: nothing on the hot path waits for the database or Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from typing import Any

log = logging.getLogger(__name__)


class SharedCopy(ABC):
    """`load()` at start, `run()` keeps it fresh, `announce()` after a change is committed."""

    def __init__(
        self, *, version_key: str, what: str, redis: Any = None, refresh_seconds: float
    ) -> None:
        self._version_key = version_key
        self._what = what  # for the log: "the settings", "the rules"
        self._redis = redis
        self._refresh_seconds = refresh_seconds
        self._version: bytes | None = None
        self._stopping = asyncio.Event()

    @abstractmethod
    async def _read(self) -> None:
        """Read the stored rows into memory."""

    async def load(self) -> None:
        # The version first: a change committed while reading is reloaded next round.
        version = await self._redis.get(self._version_key) if self._redis is not None else None
        await self._read()
        self._version = version

    async def refresh(self) -> None:
        """Pick up what another instance saved; with Redis one GET when nothing changed."""
        if self._redis is not None and await self._redis.get(self._version_key) == self._version:
            return
        await self.load()

    async def bump(self) -> None:
        """Tell the other instances; call after the change was committed (a reload sees it)."""
        if self._redis is not None:
            await self._redis.incr(self._version_key)

    async def run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._refresh_seconds)
            if self._stopping.is_set():
                return
            try:
                await self.refresh()
            except Exception as error:  # the database or Redis is away: the next round tries
                log.warning(
                    "Could not refresh %s (%s); trying again in %s s",
                    self._what,
                    type(error).__name__,
                    self._refresh_seconds,
                )

    async def stop(self) -> None:
        self._stopping.set()
