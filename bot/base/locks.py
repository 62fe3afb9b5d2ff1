"""Per-key locks: in process by default, in Redis when several instances share the work."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from bot.base.gathering import Gathering

log = logging.getLogger(__name__)

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
    token: str | None = None  # the Redis lock's value, while this instance has it
    handed_on: int = 0


class LockNotHad(RuntimeError):
    """Another instance held the key for longer than a holder here may wait."""


# Give the key back, or extend its lease, only while it holds this instance's token.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisLocks:
    """A lock's key lives `lease` seconds and is renewed while its holder works: an
    instance killed while holding one (kill -9) keeps others waiting for at most `lease`,
    not for as long as any holder might take.

    The holders of one instance wait for each other in the instance: only the first asks
    Redis (which is polled every `POLL` seconds by whoever waits there), and a holder with
    another waiting behind it hands the Redis lock on instead of giving it back (a
    customer's texts of one moment take the lock once). The keys taken, given back and
    renewed in the same turn of the event loop go in one round trip (a pipeline)."""

    POLL = 0.1
    WAIT_AT_MOST = 30.0

    def __init__(self, redis, prefix: str = "rd:lock:", lease: float = 5.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease_ms = int(lease * 1000)
        self._keys: dict[str, _Key] = {}
        self._instance = uuid.uuid4().hex[:12]
        self._counter = 0
        self._release = redis.register_script(_RELEASE)
        self._extend = redis.register_script(_EXTEND)
        self._takes: Gathering[tuple[str, str], bool] = Gathering(self._take_all, 1)
        self._gives: Gathering[tuple[str, str], bool] = Gathering(self._give_all, 1)
        self._keeper: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def __call__(self, key: str) -> AsyncIterator[None]:
        held = self._keys.setdefault(key, _Key())
        held.users += 1
        try:
            async with held.here:
                if held.token is None:
                    held.token, held.handed_on = await self._take(key), 0
                    self._keep()
                try:
                    yield
                finally:
                    held.handed_on += 1
                    if held.users <= 1 or held.handed_on >= HANDED_ON_AT_MOST:
                        await self._give_back(key, held)
        finally:
            held.users -= 1
            if held.users == 0:
                del self._keys[key]
                if held.token is not None:  # handed on to a waiter that was cancelled
                    await self._give_back(key, held)

    async def _take(self, key: str) -> str:
        self._counter += 1
        token = f"{self._instance}:{self._counter}"
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.WAIT_AT_MOST
        while not await self._takes.submit((self._prefix + key, token)):
            if loop.time() + self.POLL > give_up_at:
                raise LockNotHad(f"{key} was held elsewhere for over {self.WAIT_AT_MOST} s")
            await asyncio.sleep(self.POLL)
        return token

    async def _give_back(self, key: str, held: _Key) -> None:
        token, held.token = held.token, None
        if token is not None and not await self._gives.submit((self._prefix + key, token)):
            log.warning("The lock of %s had expired before it was given back", key)

    async def _take_all(self, asked: list[tuple[str, str]]) -> list[bool | BaseException]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for name, token in asked:
                pipe.set(name, token, nx=True, px=self._lease_ms)
            return [bool(answer) for answer in await pipe.execute()]

    async def _give_all(self, given: list[tuple[str, str]]) -> list[bool | BaseException]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for name, token in given:
                await self._release(keys=[name], args=[token], client=pipe)
            return [bool(answer) for answer in await pipe.execute()]

    def _keep(self) -> None:
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.create_task(self._keep_leases())

    async def _keep_leases(self) -> None:
        """Renew every key held here each third of the lease, in one round trip, until none
        is held."""
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            held = [(key, k.token) for key, k in self._keys.items() if k.token is not None]
            if not held:
                return
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for key, token in held:
                        await self._extend(
                            keys=[self._prefix + key], args=[token, self._lease_ms], client=pipe
                        )
                    renewed = await pipe.execute()
            except Exception as error:  # Redis is away: the next round tries again
                log.warning("Could not renew the locks held here (%s)", type(error).__name__)
                continue
            for (key, _), kept in zip(held, renewed, strict=True):
                if not kept:
                    log.warning("The lock of %s expired while it was held", key)
