"""Per-key locks: in process by default, in Redis when several instances share the work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

# A key's Redis lock goes from one holder of this instance to the next one waiting here at
# most so many times in a row; then it is given back, so that other instances get a turn.
HANDED_ON_AT_MOST = 16


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


@dataclass
class _Key:
    """A key as this instance holds it: its holders queue here, not by polling Redis."""

    here: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # the holder and those waiting
    lock: Any = None  # the Redis lock, while this instance has it
    keeper: asyncio.Task[None] | None = None
    handed_on: int = 0


class RedisLocks:
    """A lock's key lives `lease` seconds and is renewed while its holder works: an
    instance killed while holding one (kill -9) keeps others waiting for at most `lease`,
    not for as long as any holder might take.

    The holders of one instance wait for each other in the instance: only the first asks
    Redis (which is polled every 0.1 s by whoever waits there), and a holder with another
    waiting behind it here hands the Redis lock on instead of giving it back (a customer's
    texts of one moment take the lock once)."""

    def __init__(self, redis, prefix: str = "rd:lock:", lease: float = 5.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease = lease
        self._keys: dict[str, _Key] = {}

    @asynccontextmanager
    async def __call__(self, key: str) -> AsyncIterator[None]:
        held = self._keys.setdefault(key, _Key())
        held.users += 1
        try:
            async with held.here:
                if held.lock is None:
                    await self._take(key, held)
                try:
                    yield
                finally:
                    held.handed_on += 1
                    if held.users <= 1 or held.handed_on >= HANDED_ON_AT_MOST:
                        await self._give_back(held)
        finally:
            held.users -= 1
            if held.users == 0:
                del self._keys[key]
                if held.lock is not None:  # handed on to a waiter that was cancelled
                    await self._give_back(held)

    async def _take(self, key: str, held: _Key) -> None:
        lock = self._redis.lock(self._prefix + key, timeout=self._lease, blocking_timeout=30)
        await lock.__aenter__()  # raises LockError when not had within blocking_timeout
        held.lock, held.handed_on = lock, 0
        held.keeper = asyncio.create_task(self._keep(lock))

    async def _give_back(self, held: _Key) -> None:
        lock, keeper = held.lock, held.keeper
        held.lock = held.keeper = None
        if keeper is not None:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        if lock is not None:
            await lock.__aexit__(None, None, None)

    async def _keep(self, lock) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            await lock.reacquire()
