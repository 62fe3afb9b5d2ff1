"""What fails a test even when its own assertions pass.

A scenario can look right to its assertions while something went wrong underneath: a fake
answered 500 because of its own bug, the desk logged an unhandled exception, a delivery died,
a token reached a log line, a 429's `retry_after` was not waited out. The autouse fixture in
tests/conftest.py opens a `Guard` for every test; the fakes and `Desk` report to the open
one, and its `problems()` at teardown turn each of these into a failure of that test.

Opt-outs, for tests that provoke such things on purpose: `@pytest.mark.expect_errors` (the
desk's unhandled exceptions and the fakes' own server errors) and `desk.expect_dead_deliveries()`.
Leaked secrets and re-sends before `retry_after` have none.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from typing import Any, Protocol

# Loggers of the desk and the libraries it runs on; the fakes' own (tests.*) are not the desk.
DESK_LOGGERS = (
    "bot",
    "bridges",
    "storage",
    "admin_web",
    "relaydesk",
    "aiohttp",
    "asyncio",
    "aiogram",
    "slack_bolt",
    "slack_sdk",
    "tortoise",
    "aerich",
)


class Fake(Protocol):
    """A fake server as the guard sees it."""

    server_errors: list[str]

    def secrets(self) -> set[str]: ...

    def retry_after_violations(self) -> list[str]: ...


@dataclass
class DeskReport:
    """What a desk left in its database when it stopped."""

    dead: list[dict[str, Any]] = field(default_factory=list)
    last_errors: list[str] = field(default_factory=list)
    dead_expected: bool = False


class Guard(logging.Handler):
    """Collects, for one test, the desk's log records and what fakes and desks report."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.fakes: list[Fake] = []
        self.desks: list[DeskReport] = []
        self.secrets: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in DESK_LOGGERS:
            self.records.append(record)

    def problems(self, *, errors_expected: bool) -> list[str]:
        found: list[str] = []
        secrets = set(self.secrets)
        for fake in self.fakes:
            secrets |= fake.secrets()
            if not errors_expected:
                found += [
                    f"a fake server answered an error of its own: {e}" for e in fake.server_errors
                ]
            found += [f"re-sent before retry_after: {v}" for v in fake.retry_after_violations()]
        secrets = {s for s in secrets if s}
        for record in self.records:
            text = _text(record)
            if not errors_expected and record.levelno >= logging.ERROR and record.exc_info:
                found.append(f"unhandled exception logged by {record.name}: {text[:2000]}")
            leaked = [s for s in secrets if s in text]
            if leaked:
                found.append(f"a secret reached the log ({record.name}): {text[:500]}")
        for report in self.desks:
            if report.dead and not report.dead_expected:
                found.append(f"deliveries died that the test did not expect: {report.dead}")
            for error in report.last_errors:
                if any(s in error for s in secrets):
                    found.append(f"a secret reached a delivery's last_error: {error[:500]}")
        return found


def _text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a broken format string is the desk's bug, shown as it is
        text = f"{record.msg!r} % {record.args!r}"
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    return text


current: Guard | None = None


def watch_fake(fake: Fake) -> None:
    if current is not None:
        current.fakes.append(fake)


def watch_desk(report: DeskReport, secrets: set[str]) -> None:
    if current is not None:
        current.desks.append(report)
        current.secrets |= secrets
