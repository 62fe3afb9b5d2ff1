"""Messages a minute per visitor and per address, counted in this process (several
instances each allow the number: README says so)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

WINDOW = 60.0
# Counters of keys quiet for a window are dropped once there are this many.
SWEEP_AT = 10_000


class Limits:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def wait(self, *limits: tuple[str, int]) -> int:
        """0 when one more may go under every (key, per minute) limit (and counts it in each),
        else the seconds until it may."""
        now = self._clock()
        if len(self._seen) > SWEEP_AT:
            self._sweep(now)
        waits = [self._wait(self._window(key, now), per_minute, now) for key, per_minute in limits]
        if any(waits):
            return max(waits)
        for key, _ in limits:
            self._seen[key].append(now)
        return 0

    def _window(self, key: str, now: float) -> deque[float]:
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        return seen

    @staticmethod
    def _wait(seen: deque[float], per_minute: int, now: float) -> int:
        if len(seen) < per_minute:
            return 0
        return max(1, math.ceil(seen[-per_minute] + WINDOW - now))

    def _sweep(self, now: float) -> None:
        for key in [k for k, seen in self._seen.items() if not seen or seen[-1] <= now - WINDOW]:
            del self._seen[key]
