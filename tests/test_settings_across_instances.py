"""Several instances serve one database (and one Redis): a setting an admin saves on one
applies on every other within `RELAYDESK_SETTINGS_REFRESH_SECONDS`, and reads between two
refreshes cost nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.base.clock import Clock
from bot.base.settings import Settings
from bot.directory.live_settings import VERSION_KEY, LiveSettings
from storage.models import Setting
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.telegram import FakeTelegram

REDIS_URL = redis_url(SHARED)
REFRESH = 0.3  # seconds
CUSTOMER = 5001
OLGA = 1001


@pytest.fixture(params=["database", "redis"])
async def redis(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """None: the instances share only the database; else a client of their shared Redis."""
    if request.param == "database":
        yield None
        return
    client = aioredis.from_url(REDIS_URL)
    await client.delete(VERSION_KEY)
    yield client
    await client.delete(VERSION_KEY)
    await client.aclose()


@pytest.fixture
async def desk(fake_telegram: FakeTelegram, database_url: str, redis: Any) -> AsyncIterator[Desk]:
    values: dict[str, Any] = {"settings_refresh_seconds": REFRESH}
    if redis is not None:
        values["redis_url"] = REDIS_URL
    desk = await Desk(fake_telegram, database_url, **values).start()
    yield desk
    await desk.stop()


def another_instance(redis: Any) -> LiveSettings:
    """The settings service of a second process on the same database and Redis."""
    return LiveSettings(
        Settings(_env_file=None), clock=Clock(), redis=redis, refresh_seconds=REFRESH
    )


async def seen_within(bound: float, looks: Any) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not looks():
        assert loop.time() - started < bound, "the change did not arrive in time"
        await asyncio.sleep(0.02)
    return loop.time() - started


async def test_a_note_prefix_saved_on_another_instance_applies_here_within_the_refresh_time(
    desk: Desk, redis: Any
) -> None:
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    other = another_instance(redis)
    await other.load()

    assert await other.change("note_prefix", "##", actor_name="web:boss")
    await seen_within(REFRESH + 1.0, lambda: desk.core.live_settings.note_prefix == "##")

    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "## he called yesterday too", thread_id=thread)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "// an answer now", thread_id=thread)
    await desk.settle()
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["// an answer now"]


async def test_a_change_made_here_reaches_a_running_other_instance(desk: Desk, redis: Any) -> None:
    other = another_instance(redis)
    await other.load()
    watching = asyncio.create_task(other.run())
    try:
        await desk.core.live_settings.change("default_language", "uk", actor_name="cli")
        await desk.core.live_settings.change("assign_on_reply", False, actor_name="cli")
        await seen_within(
            REFRESH + 1.0,
            lambda: (other.default_language, other.assign_on_reply) == ("uk", False),
        )
    finally:
        await other.stop()
        await watching
    assert desk.core.live_settings.current() == other.current()


async def test_with_redis_an_instance_reloads_only_when_the_version_moved(
    desk: Desk, redis: Any
) -> None:
    if redis is None:
        pytest.skip("without Redis every refresh reads the database")
    other = another_instance(redis)
    await other.load()
    # A row written behind the service's back (no version bump) is not looked for...
    await Setting.create(key="note_prefix", value={"value": "!!"})
    await other.refresh()
    assert other.note_prefix == "//"
    # ...until a change announces itself.
    await desk.core.live_settings.change("default_language", "ru", actor_name="cli")
    await other.refresh()
    assert (other.note_prefix, other.default_language) == ("!!", "ru")


def test_the_core_reads_these_settings_only_through_live_settings() -> None:
    """`settings.note_prefix` would be the environment's value on this instance only."""
    root = Path(__file__).resolve().parent.parent
    reader = re.compile(r"settings\.(note_prefix|default_language|assign_on_reply)\b")
    found = [
        f"{path.relative_to(root)}: {line.strip()}"
        for folder in ("bot", "bridges", "admin_web", "relaydesk")
        for path in sorted((root / folder).rglob("*.py"))
        for line in path.read_text().splitlines()
        if reader.search(line.replace("live_settings.", ""))
    ]
    assert found == []
