"""Sign-in attempts: a few password checks per name and per address, then wait a while.

An attempt is counted *before* its password is checked, in one atomic step with the
question "is there room for it?": a burst of parallel guesses cannot all slip past a
check made before any of them had failed. An attempt that finds no room is refused
without checking the password at all (argon2 costs the server too).

Redis (when configured) keeps the counts, so every instance shares them; the check and
the counting run as one Lua script. Without Redis each process counts for itself, atomic
within its event loop: several instances on one database without Redis each allow
`MAX_FAILURES`, so run more than one instance with Redis."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
_PREFIX = "relaydesk:login-failures:"

# KEYS: the counters; ARGV: the limit, the window. Counts one attempt on every key and
# returns 1, or returns 0 and counts nothing when one key is at the limit.
_ATTEMPT = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[1]) then
    return 0
  end
end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then
    redis.call('EXPIRE', key, ARGV[2])
  end
end
return 1
"""


class LoginThrottle:
    """Counts password checks per key in a window; a successful check clears its keys."""

    def __init__(self, redis: Any = None) -> None:
        self._redis = redis
        self._script = redis.register_script(_ATTEMPT) if redis is not None else None
        self._memory: dict[str, list[float]] = defaultdict(list)

    async def attempt(self, *keys: str) -> bool:
        """True: the attempt is counted on every key and its password may be checked.
        False: one key is at its limit; nothing is counted and nothing may be checked."""
        if self._script is not None:
            names = [_PREFIX + key for key in keys]
            return bool(await self._script(keys=names, args=[MAX_FAILURES, WINDOW_SECONDS]))
        return self._attempt_in_memory(keys)

    async def succeeded(self, *keys: str) -> None:
        if self._redis is not None:
            await self._redis.delete(*[_PREFIX + key for key in keys])
            return
        for key in keys:
            self._memory.pop(key, None)

    def _attempt_in_memory(self, keys: tuple[str, ...]) -> bool:
        """No await in here: the look and the count happen in one step of the event loop."""
        now = time.monotonic()
        for key in keys:
            recent = [t for t in self._memory.get(key, ()) if now - t < WINDOW_SECONDS]
            if recent:
                self._memory[key] = recent
            else:
                self._memory.pop(key, None)
            if len(recent) >= MAX_FAILURES:
                return False
        for key in keys:
            self._memory[key].append(now)
        return True
