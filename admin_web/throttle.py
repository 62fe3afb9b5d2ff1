"""Sign-in attempts: after a few failures for one name or one address, wait a while."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    """Counts failures per key in a fixed window; Redis shares the counts between instances."""

    def __init__(self, redis: Any = None) -> None:
        self._redis = redis
        self._memory: dict[str, list[float]] = defaultdict(list)

    async def blocked(self, *keys: str) -> bool:
        for key in keys:
            if await self._count(key) >= MAX_FAILURES:
                return True
        return False

    async def failed(self, *keys: str) -> None:
        for key in keys:
            if self._redis is not None:
                name = f"relaydesk:login-failures:{key}"
                await self._redis.incr(name)
                await self._redis.expire(name, WINDOW_SECONDS, nx=True)
            else:
                self._memory[key].append(time.monotonic())

    async def succeeded(self, *keys: str) -> None:
        for key in keys:
            if self._redis is not None:
                await self._redis.delete(f"relaydesk:login-failures:{key}")
            else:
                self._memory.pop(key, None)

    async def _count(self, key: str) -> int:
        if self._redis is not None:
            return int(await self._redis.get(f"relaydesk:login-failures:{key}") or 0)
        recent = [t for t in self._memory[key] if time.monotonic() - t < WINDOW_SECONDS]
        self._memory[key] = recent
        return len(recent)
