"""Shared fixtures: a database per test (SQLite and PostgreSQL), the `relaydesk` CLI on it, the
fake Telegram, a desk."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.base.clock import Clock
from storage import db
from tests.fakes import guard
from tests.fakes.databases import drop_templates, fresh_database
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, Desk
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram

pytest_plugins = ["tests.timeouts", "tests.alone", "tests.fakes.api_desk"]

DATABASES = [
    d for d in os.environ.get("RELAYDESK_TEST_DATABASES", "sqlite,postgres").split(",") if d
]


def pytest_sessionstart(session: pytest.Session) -> None:
    """The libraries every desk loads (aiogram builds hundreds of pydantic models, Slack's
    SDK its classes) are imported once and frozen out of the garbage collector's view:
    `guarded` collects after every test, and scanning them each time cost a quarter of a
    second per test."""
    import bridges.slack.runtime  # noqa: F401
    import bridges.telegram.runtime  # noqa: F401

    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def guarded(request: pytest.FixtureRequest) -> Iterator[guard.Guard]:
    """Fails the test for what its assertions may not see (tests/fakes/guard.py): a fake's
    own server error, an unhandled exception in the desk's log, an unexpected dead delivery,
    a secret in a log line or a delivery's error, a re-send before a 429's retry_after."""
    watch = guard.Guard()
    root = logging.getLogger()
    level = root.level
    handlers = set(root.handlers)
    root.addHandler(watch)
    root.setLevel(min(level, logging.INFO))  # what `relaydesk run` logs by default
    guard.current = watch
    try:
        yield watch
        gc.collect()  # "Task exception was never retrieved" is logged when a task is freed
    finally:
        guard.current = None
        root.removeHandler(watch)
        root.setLevel(level)
        left = _handlers_left(root, handlers)
        for handler in left:
            root.removeHandler(handler)
    problems = watch.problems(
        errors_expected=request.node.get_closest_marker("expect_errors") is not None
    )
    problems += [f"the test left a log handler on the root logger: {h!r}" for h in left]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _handlers_left(root: logging.Logger, before: set[logging.Handler]) -> list[logging.Handler]:
    """Handlers a test added to the root logger and did not take off (pytest's own come and go
    with each phase). One left behind writes each later test's lines to a stream closed by
    then: a traceback on stderr per line, which once slowed the suite by a third."""
    return [
        h for h in root.handlers if h not in before and not type(h).__module__.startswith("_pytest")
    ]


@pytest.fixture(params=DATABASES)
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    """A database with every migration applied and no rows."""
    async with fresh_database(request.param, tmp_path, migrated=True) as url:
        yield url


@pytest.fixture
async def connected_database(database_url: str) -> AsyncIterator[str]:
    """`database_url`, connected as a desk connects: for the core's statements on their
    own, without a running desk."""
    await db.connect(database_url)
    try:
        yield database_url
    finally:
        await db.disconnect()


@pytest.fixture(params=DATABASES)
async def unmigrated_database_url(request, tmp_path) -> AsyncIterator[str]:
    async with fresh_database(request.param, tmp_path) as url:
        yield url


def pytest_sessionfinish(session: pytest.Session) -> None:
    asyncio.run(drop_templates())


@pytest.fixture
def relaydesk(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> Callable[..., tuple[int, str, str]]:
    """`relaydesk …` against the test database: (exit code, stdout, stderr)."""
    from relaydesk.cli.main import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", database_url)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members={uid: "member" for uid in OPERATORS})
    for user_id, name in OPERATORS.items():
        fake.add_user(user_id, name, username=name.lower())
    yield fake
    await fake.close()


# Telegram's limits replayed fast: a minute of Telegram time in six real seconds. Faster
# replays shrink the pacer's 5 % slack below the time one delivery's calls take to reach the
# fake, which is not a real-world case.
LIMITED_SPEED = 10.0


@pytest.fixture
async def limited_telegram() -> AsyncIterator[tuple[FakeTelegram, Clock]]:
    """A fake Telegram that enforces its limits with real 429s, and the clock they run on."""
    clock = Clock(speed=LIMITED_SPEED)
    fake = FakeTelegram(limits=True, clock=clock.monotonic)
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    yield fake, clock
    await fake.close()


@pytest.fixture
async def desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    desk = Desk(fake_telegram, database_url)
    await desk.start()
    yield desk
    await desk.stop()


SLACK_CHANNEL = "C0SUPPORT"
SLACK_OPERATORS = {"U0OLGA": "olga", "U0PETRO": "petro"}


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    for user_id, name in SLACK_OPERATORS.items():
        fake.add_user(user_id, name, real_name=name.title())
    fake.add_channel(SLACK_CHANNEL, "support", members=list(SLACK_OPERATORS))
    yield fake
    await fake.close()


@pytest.fixture
async def slack_desk(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> AsyncIterator[Desk]:
    """Customers on Telegram, the default line in a Slack channel."""
    desk = Desk.with_slack(fake_telegram, fake_slack, database_url, SLACK_CHANNEL)
    await desk.start()
    yield desk
    await desk.stop()


@pytest.fixture(params=["telegram", "slack"])
async def workspace(request, fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str):
    """The same operators' workspace story, told once in a Telegram forum, once in Slack."""
    from tests.fakes.workspaces import ForumWorkspace, SlackWorkspace

    if request.param == "telegram":
        desk = await Desk(fake_telegram, database_url).start()
        yield ForumWorkspace(desk)
    else:
        desk = Desk.with_slack(fake_telegram, fake_slack, database_url, SLACK_CHANNEL)
        await desk.start()
        yield SlackWorkspace(desk, fake_slack, SLACK_CHANNEL)
    await desk.stop()
