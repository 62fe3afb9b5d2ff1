"""Slack's per-channel posting limit (about one message per second, short bursts
allowed), with an injectable clock."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..common import TokenBucket
from .errors import ratelimited


@dataclass
class Stats:
    """What the fake served: calls per method, 429 answers, bot posts per channel."""

    calls: Counter[str] = field(default_factory=Counter)
    ratelimited: int = 0
    posts_per_channel: Counter[str] = field(default_factory=Counter)


class RateLimiter:
    """chat.postMessage: ``per_second`` per channel with bursts of ``burst``."""

    def __init__(
        self, clock: Callable[[], float], *, per_second: float = 1.0, burst: int = 3
    ) -> None:
        self.clock = clock
        self.per_second = per_second
        self.burst = burst
        self._channels: dict[str, TokenBucket] = {}

    def take(self, channel_id: str) -> None:
        """Admit one message into the channel or raise a 429 ``SlackError``."""
        now = self.clock()
        bucket = self._channels.get(channel_id)
        if bucket is None:
            bucket = self._channels[channel_id] = TokenBucket(self.per_second, self.burst, now)
        wait = bucket.wait_time(now)
        if wait > 0:
            raise ratelimited(max(1, math.ceil(wait)))
        bucket.take(now)
