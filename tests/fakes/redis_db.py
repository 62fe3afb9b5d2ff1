"""The Redis databases tests may empty: each pytest-xdist worker has its own, so that a test
on one worker never flushes what a test on the other is using. Redis has 16 (0-15): worker
N takes three from the top down (gw0: 15, 14, 13; gw1: 12, 11, 10; …)."""

from __future__ import annotations

import os

SERVER = os.environ.get("RELAYDESK_TEST_REDIS", "redis://127.0.0.1:6379")
PER_WORKER = 3
MAX_WORKERS = 4  # databases 4-15; the benchmarks use 1, and 0 is left to anyone else


def _worker() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(name.removeprefix("gw") or 0)
    if index >= MAX_WORKERS:
        raise RuntimeError(f"at most {MAX_WORKERS} test workers share one Redis server")
    return index


def redis_url(slot: int) -> str:
    """The URL of this worker's database number `slot` (0, 1 or 2)."""
    assert 0 <= slot < PER_WORKER
    return f"{SERVER}/{15 - PER_WORKER * _worker() - slot}"


# What each slot is for.
SHARED = 0  # a desk's dedupe, locks, sessions and settings
PACING = 1  # pacing windows tested on their own
HELPER_PACING = 2  # pacing windows shared by helper bots' instances
