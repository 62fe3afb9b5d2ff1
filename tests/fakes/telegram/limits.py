"""Telegram's flood limits for bots, with an injectable clock."""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..common import TokenBucket
from .errors import too_many_requests


@dataclass
class Stats:
    """What the fake served: calls per method, 429 answers, bot messages per chat."""

    calls: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    messages_per_chat: Counter[int] = field(default_factory=Counter)


class SlidingWindow:
    """At most ``limit`` events in any ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        while self._events and self._events[0] <= now - self.period:
            self._events.popleft()
        excess = len(self._events) - self.limit
        if excess < 0:
            return 0.0
        # The window may be over-full after a multi-message call (albums).
        return self._events[excess] + self.period - now

    def add(self, now: float, count: int) -> None:
        self._events.extend([now] * count)


class RateLimiter:
    """Per-group, per-private-chat and per-bot limits on messages the bot creates.

    A call is admitted when one more message fits everywhere; a call creating
    several messages (album, copyMessages) is admitted whole and the excess
    delays later calls, which is how Telegram behaves for albums.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        group_per_minute: int = 20,
        group_window: float = 60.0,
        private_per_second: float = 1.0,
        private_burst: int = 3,
        global_per_second: int = 30,
        global_window: float = 1.0,
    ) -> None:
        self.clock = clock
        self._config = (group_per_minute, group_window, private_per_second, private_burst)
        self._global_config = (global_per_second, global_window)
        self.group_per_minute = group_per_minute
        self.group_window = group_window
        self.private_per_second = private_per_second
        self.private_burst = private_burst
        self._global = SlidingWindow(global_per_second, global_window)
        self._groups: dict[int, SlidingWindow] = {}
        self._privates: dict[int, TokenBucket] = {}

    def twin(self) -> RateLimiter:
        """Fresh limits of the same sizes: another bot's (Telegram counts per bot)."""
        group, window, private, burst = self._config
        per_second, global_window = self._global_config
        return RateLimiter(
            self.clock,
            group_per_minute=group,
            group_window=window,
            private_per_second=private,
            private_burst=burst,
            global_per_second=per_second,
            global_window=global_window,
        )

    def _chat_limit(self, chat_id: int, now: float) -> SlidingWindow | TokenBucket:
        if chat_id < 0:
            return self._groups.setdefault(
                chat_id, SlidingWindow(self.group_per_minute, self.group_window)
            )
        bucket = self._privates.get(chat_id)
        if bucket is None:
            bucket = self._privates[chat_id] = TokenBucket(
                self.private_per_second, self.private_burst, now
            )
        return bucket

    def take(self, chat_id: int, count: int = 1) -> None:
        """Record ``count`` new messages in the chat or raise a 429 ``ApiError``."""
        now = self.clock()
        chat_limit = self._chat_limit(chat_id, now)
        wait = max(self._global.wait_time(now), chat_limit.wait_time(now))
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        self._global.add(now, count)
        chat_limit.add(now, count)
