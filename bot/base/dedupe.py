"""Remembering which updates were seen, so a re-delivered update is handled once."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol


class Deduper(Protocol):
    async def first_time(self, key: str) -> bool: ...

    async def forget(self, key: str) -> None: ...


class MemoryDeduper:
    def __init__(self, clock: Callable[[], float], ttl: float = 86400.0, size: int = 100_000):
        self._clock = clock
        self._ttl = ttl
        self._size = size
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = self._clock()
        while self._seen and (
            len(self._seen) >= self._size or next(iter(self._seen.values())) < now - self._ttl
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    async def forget(self, key: str) -> None:
        self._seen.pop(key, None)


class RedisDeduper:
    def __init__(self, redis, ttl: int = 86400, prefix: str = "rd:seen:") -> None:
        self._redis = redis
        self._ttl = ttl
        self._prefix = prefix

    async def first_time(self, key: str) -> bool:
        return bool(await self._redis.set(self._prefix + key, "1", nx=True, ex=self._ttl))

    async def forget(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)


async def once(deduper: Deduper, key: str, work: Callable[[], Awaitable[object]]) -> bool:
    """Run `work` for the first delivery of `key`; False for a repeat. A failed attempt is
    forgotten, so the sender's next retry is handled instead of being dropped as seen."""
    if not await deduper.first_time(key):
        return False
    try:
        await work()
    except BaseException:
        await deduper.forget(key)
        raise
    return True
