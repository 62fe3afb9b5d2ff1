"""Sliding-window pacing: at most `rate` sends per `per` seconds for every bucket a send names.

Telegram states its limits as "N messages per window" (20 a minute into a group), so a log of
send times matches them exactly where a token bucket would let a double burst through.
"""

from __future__ import annotations

import math
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

from bot.base.ports import Bucket


class Pacer(Protocol):
    async def reserve(self, buckets: list[Bucket], slots: int = 1, ticket: str = "") -> float:
        """Take `slots` in every bucket and return 0, or take nothing and return the wait."""

    async def restamp(self, ticket: str) -> None:
        """The send of `ticket` is over: count its slots from now, not from when they were
        taken, since a slow send reaches Telegram later than it was stamped. A send over
        within the windows' slack keeps its stamp (nothing is written)."""

    async def hold(self, key: str, seconds: float) -> None:
        """Nothing goes through bucket `key` for `seconds` (a 429's retry_after)."""


def _capacity(bucket: Bucket) -> int:
    return max(1, math.floor(bucket.rate))


# We stamp a send before the request leaves (and again when it is over), Telegram when it
# arrives: a little slack keeps a send from landing inside a window that looked closed.
SLACK = 1.05


def _window(bucket: Bucket) -> float:
    return bucket.per * _capacity(bucket) / bucket.rate * SLACK


def _slack(buckets: list[Bucket]) -> float:
    """How late a send may reach Telegram after its stamp and still be inside every window
    as counted: one over by then need not be stamped again."""
    return min(_window(b) - b.per * _capacity(b) / b.rate for b in buckets)


# Reserves between two sweeps of the buckets nobody used for a whole window.
SWEEP_EVERY = 1_000


class MemoryPacer:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._windows: dict[str, float] = {}
        self._held: dict[str, float] = {}
        self._tickets: dict[str, tuple[list[str], float, int, float]] = {}
        self._reserves = 0

    async def reserve(self, buckets: list[Bucket], slots: int = 1, ticket: str = "") -> float:
        if not buckets:
            return 0.0  # a send that spends no budget
        now = self._clock()
        self._reserves += 1
        if self._reserves % SWEEP_EVERY == 0:
            self._sweep(now)
        wait = 0.0
        for bucket in buckets:
            wait = max(wait, self._held.get(bucket.key, 0.0) - now)
            log = self._sent.setdefault(bucket.key, deque())
            window = self._windows[bucket.key] = _window(bucket)
            while log and log[0] <= now - window:
                log.popleft()
            need = min(slots, _capacity(bucket))
            excess = len(log) + need - _capacity(bucket)
            if excess > 0:
                wait = max(wait, log[excess - 1] + window - now)
        if wait > 0:
            return wait
        for bucket in buckets:
            self._sent[bucket.key].extend([now] * slots)
        if ticket:
            self._tickets[ticket] = ([b.key for b in buckets], now, slots, _slack(buckets))
        return 0.0

    async def restamp(self, ticket: str) -> None:
        taken = self._tickets.pop(ticket, None)
        if taken is None:
            return
        keys, stamped, slots, slack = taken
        now = self._clock()
        if now - stamped <= slack:
            return
        for key in keys:
            log = self._sent.get(key)
            for _ in range(slots):
                if log is not None and stamped in log:
                    log.remove(stamped)
                    log.append(now)

    async def hold(self, key: str, seconds: float) -> None:
        self._held[key] = max(self._held.get(key, 0.0), self._clock() + seconds)

    def _sweep(self, now: float) -> None:
        """Forget the buckets whose every send is out of their window: each customer's chat
        is a bucket, and a desk meets many more customers than it serves at once."""
        for key in [k for k, until in self._held.items() if until <= now]:
            del self._held[key]
        for key, log in list(self._sent.items()):
            if (not log or log[-1] <= now - self._windows.get(key, 0.0)) and key not in self._held:
                del self._sent[key]
                self._windows.pop(key, None)


_RESERVE = """
local now = tonumber(ARGV[1])
local slots = tonumber(ARGV[#ARGV - 1])
local wait = 0
for i, key in ipairs(KEYS) do
  local cap = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  local held = tonumber(redis.call('GET', key .. ':hold') or '0')
  if held - now > wait then wait = held - now end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local need = math.min(slots, cap)
  local excess = redis.call('ZCARD', key) + need - cap
  if excess > 0 then
    local oldest = redis.call('ZRANGE', key, excess - 1, excess - 1, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i + 1])
  for s = 1, slots do
    redis.call('ZADD', key, now, ARGV[#ARGV] .. ':' .. s)
  end
  redis.call('PEXPIRE', key, math.ceil(window * 1000) + 1000)
end
return '0'
"""


class RedisPacer:
    """The same windows kept in Redis, so every instance shares one budget per chat."""

    def __init__(self, redis, clock: Callable[[], float], prefix: str = "rd:pace:") -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = prefix
        self._script = redis.register_script(_RESERVE)
        self._counter = 0
        self._instance = uuid.uuid4().hex[:12]
        self._tickets: dict[str, tuple[list[str], str, int, float, float]] = {}

    async def reserve(self, buckets: list[Bucket], slots: int = 1, ticket: str = "") -> float:
        if not buckets:
            return 0.0  # a send that spends no budget
        self._counter += 1
        keys = [self._prefix + b.key for b in buckets]
        stamped = self._clock()
        args: list[float | str] = [stamped]
        for bucket in buckets:
            args += [_capacity(bucket), _window(bucket)]
        member = f"{self._instance}:{self._counter}"
        args += [slots, member]
        wait = float(await self._script(keys=keys, args=args))
        if wait == 0 and ticket:
            self._tickets[ticket] = (keys, member, slots, stamped, _slack(buckets))
        return wait

    async def restamp(self, ticket: str) -> None:
        taken = self._tickets.pop(ticket, None)
        if taken is None:
            return
        keys, member, slots, stamped, slack = taken
        now = self._clock()
        if now - stamped <= slack:  # over within the slack: one round trip saved a send
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zadd(key, {f"{member}:{s}": now for s in range(1, slots + 1)}, xx=True)
            await pipe.execute()

    async def hold(self, key: str, seconds: float) -> None:
        until = self._clock() + seconds
        await self._redis.set(self._prefix + key + ":hold", until, px=int(seconds * 1000) + 1000)
