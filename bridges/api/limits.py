"""Each API key's requests a minute, counted in this process (several instances each allow
the number: README says so)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

WINDOW = 60.0


class RateLimits:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}

    def wait(self, key_id: int, per_minute: int) -> int:
        """0 when a request of `key_id` may go now (and counts it), else the seconds to wait."""
        now = self._clock()
        seen = self._seen.setdefault(key_id, deque())
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        if len(seen) >= per_minute:
            return max(1, math.ceil(seen[0] + WINDOW - now))
        seen.append(now)
        return 0
