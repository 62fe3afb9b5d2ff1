"""Time as a dependency, so snoozes, pacing and back-off can be tested without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall and monotonic time; `speed` > 1 runs both faster (benchmarks replay a minute of
    Telegram's per-group budget in a second), and `sleep_seconds` turns waits back."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self._wall0 = datetime.now(UTC)
        self._mono0 = time.monotonic()
        self._offset = timedelta()

    def monotonic(self) -> float:
        return self._mono0 + (time.monotonic() - self._mono0) * self.speed

    def now(self) -> datetime:
        if self.speed == 1.0:
            return datetime.now(UTC) + self._offset
        return self._wall0 + timedelta(seconds=self.monotonic() - self._mono0) + self._offset

    def advance(self, **delta: float) -> None:
        """Jump the wall clock forward (`advance(hours=2)`): snoozes and auto-close come due
        without waiting. Pacing keeps to the monotonic clock and does not jump."""
        self._offset += timedelta(**delta)

    def sleep_seconds(self, seconds: float) -> float:
        return seconds / self.speed
