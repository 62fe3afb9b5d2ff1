"""Scenarios replayed on a fast clock run alone, even on several pytest-xdist workers.

A scenario on Telegram's limits replayed ten times faster (`limited_telegram`) counts real
seconds of the desk's work as ten of Telegram's: beside another worker's scenario it would
get half the CPU its replay assumes. Such a test holds a lock over every worker's tests
(exclusive; the others take it shared), as in a run on one worker. A turnstile before the
lock keeps the others from slipping in again and again while one waits for it.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

import pytest

ALONE_FIXTURE = "limited_telegram"


def _lock_files() -> tuple[Path, Path] | None:
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:  # one process: nothing runs beside a test
        return None
    folder = Path(tempfile.gettempdir())
    return folder / f"relaydesk-tests-{run}.turnstile", folder / f"relaydesk-tests-{run}.lock"


class _Turns:
    """This worker's hold on the lock: shared for one test at a time, so that an alone test
    waiting for it gets in between two tests; exclusive for a run of alone tests one after
    another (`--dist loadgroup` sends them to one worker together), so that they wait once
    for the other worker's test under way, not each of them."""

    def __init__(self) -> None:
        self._files = _lock_files()
        self._alone = False

    def take(self, alone: bool) -> None:
        if self._files is None or (alone and self._alone):
            return
        turnstile_path, lock_path = self._files
        with turnstile_path.open("a") as turnstile:
            fcntl.flock(turnstile, fcntl.LOCK_EX)  # waits while an alone test waits for the lock
            if not alone:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
            try:
                self._lock = lock_path.open("a")
                fcntl.flock(self._lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
            finally:
                fcntl.flock(turnstile, fcntl.LOCK_UN)
        self._alone = alone

    def give_back(self, keep_alone: bool) -> None:
        if self._files is None or (self._alone and keep_alone):
            return
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
        self._alone = False


_turns: _Turns | None = None


def _is_alone(item: pytest.Item | None) -> bool:
    return item is not None and ALONE_FIXTURE in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """They also share one worker (`--dist loadgroup`), so the lock changes hands seldom."""
    for item in items:
        if _is_alone(item):
            item.add_marker(pytest.mark.xdist_group("alone"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    global _turns
    if _turns is None:
        _turns = _Turns()
    alone = _is_alone(item)
    _turns.take(alone)
    try:
        yield
    finally:
        _turns.give_back(keep_alone=alone and _is_alone(nextitem))
