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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ALONE_FIXTURE = "limited_telegram"


def _lock_files() -> tuple[Path, Path] | None:
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:  # one process: nothing runs beside a test
        return None
    folder = Path(tempfile.gettempdir())
    return folder / f"relaydesk-tests-{run}.turnstile", folder / f"relaydesk-tests-{run}.lock"


@contextmanager
def taking_turns(alone: bool) -> Iterator[None]:
    files = _lock_files()
    if files is None:
        yield
        return
    turnstile_path, lock_path = files
    with turnstile_path.open("a") as turnstile, lock_path.open("a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)  # waits while an alone test waits for the lock
        if not alone:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """They also share one worker (`--dist loadgroup`), so the lock changes hands seldom."""
    for item in items:
        if ALONE_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("alone"))


@pytest.fixture(autouse=True)
def turns(request: pytest.FixtureRequest) -> Iterator[None]:
    with taking_turns(ALONE_FIXTURE in request.fixturenames):
        yield
