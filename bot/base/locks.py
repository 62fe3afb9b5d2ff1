"""Per-key locks: in process by default, in Redis when several instances share the work."""

from __future__ import annotations

import asyncio
import contextlib
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
    """A lock's key lives `lease` seconds and is renewed while its holder works: an
    instance killed while holding one (kill -9) keeps others waiting for at most `lease`,
    not for as long as any holder might take."""

    def __init__(self, redis, prefix: str = "rd:lock:", lease: float = 5.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease = lease

    @asynccontextmanager
    async def __call__(self, key: str) -> AsyncIterator[None]:
        lock = self._redis.lock(self._prefix + key, timeout=self._lease, blocking_timeout=30)
        async with lock:
            keeper = asyncio.create_task(self._keep(lock))
            try:
                yield
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper

    async def _keep(self, lock) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            await lock.reacquire()
