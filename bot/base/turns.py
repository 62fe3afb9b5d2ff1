"""Whose turn it is: work that one instance among several must do at a time (the
scheduler's rounds). One instance (SQLite) always has the turn; several share a Redis lock
with a lease, or, without Redis, a PostgreSQL advisory lock."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from storage import advisory


class Turns(Protocol):
    def __call__(self, name: str) -> AbstractAsyncContextManager[bool]: ...


@asynccontextmanager
async def only_instance(name: str) -> AsyncIterator[bool]:
    yield True


@asynccontextmanager
async def database_turn(name: str) -> AsyncIterator[bool]:
    """Without Redis: rounds never overlap; two instances may each run one in an interval,
    one after the other, each seeing what the other committed."""
    async with advisory.held(name) as mine:
        yield mine


# Renew the lease only while we still hold it; keep it until `gap` after the round, so that
# no instance starts the next round sooner than one interval after this one.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class RedisTurns:
    """A turn is a key set if absent, with this instance's token and a lease: a killed
    holder's turn passes on when the lease runs out. While the round runs the lease is
    renewed; when it ends the key stays for `gap` seconds, so that one round runs per
    interval among all instances, and never two at once."""

    def __init__(
        self,
        redis: Any,
        *,
        gap: float,
        lease: float = 30.0,
        prefix: str = "rd:turn:",
        token: Callable[[], str] = lambda: secrets.token_hex(8),
    ) -> None:
        self._redis = redis
        self._gap = gap
        self._lease = lease
        self._prefix = prefix
        self._token = token

    @asynccontextmanager
    async def __call__(self, name: str) -> AsyncIterator[bool]:
        key, token = self._prefix + name, self._token()
        if not await self._redis.set(key, token, nx=True, px=_ms(self._lease)):
            yield False
            return
        keeper = asyncio.create_task(self._keep(key, token))
        try:
            yield True
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self._redis.eval(_RENEW, 1, key, token, _ms(self._gap))

    async def _keep(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            await self._redis.eval(_RENEW, 1, key, token, _ms(self._lease))


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
