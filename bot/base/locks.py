"""Per-key locks: in process by default, in Redis when several instances share the work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol


class KeyedLock(Protocol):
    def __call__(self, key: str) -> AsyncIterator[None]: ...


class MemoryLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def __call__(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class RedisLocks:
    def __init__(self, redis, prefix: str = "rd:lock:", timeout: float = 30.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._timeout = timeout

    @asynccontextmanager
    async def __call__(self, key: str) -> AsyncIterator[None]:
        async with self._redis.lock(self._prefix + key, timeout=self._timeout, blocking_timeout=30):
            yield
