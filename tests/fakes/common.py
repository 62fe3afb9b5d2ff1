"""Pieces the in-repo fake servers (``tests/fakes/telegram`` and ``tests/fakes/slack``)
share: the state-change signal, the token bucket behind their rate limits, multipart
file parts, and the aiohttp server lifecycle."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web


class Signal:
    """Wakes every waiter when state changes; usable from synchronous code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Wait until predicate() holds; False if `within` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


class TokenBucket:
    """``rate`` events per second on average with bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = now

    def _refill(self, now: float) -> None:
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait_time(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def add(self, now: float, count: int) -> None:
        self._refill(now)
        self._tokens -= count  # may go negative: an album is admitted whole, then paid off

    def take(self, now: float) -> None:
        self.add(now, 1)


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


class AppServer(ABC):
    """The aiohttp lifecycle of a fake: serve an app on ``host``:``port`` (0 = any free
    port), keep an outgoing client session, and tear both down; an async context
    manager around the subclass's ``start()``/``close()``."""

    host: str
    port: int
    base_url: str
    _runner: web.AppRunner | None
    _client: aiohttp.ClientSession | None

    async def _serve(self, app: web.Application) -> str:
        """Start serving ``app``; sets and returns ``base_url``, opens the client."""
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        self._client = aiohttp.ClientSession()
        return self.base_url

    async def _shutdown(self) -> None:
        """Close the client session, then stop serving."""
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @abstractmethod
    async def start(self) -> str:
        """Serve this fake's routes (with `_serve`) and return its base URL."""

    @abstractmethod
    async def close(self) -> None:
        """Stop serving (with `_shutdown`) after the fake's own clean-up."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
