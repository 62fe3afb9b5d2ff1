"""Several instances on one database: each scheduler round (snooze wake-ups, auto-close,
auto-away, the queue) is run by one instance, so a quiet conversation is closed once, not
once per instance. A second instance here is a second `Scheduler` over the same database
and Redis, with its own client and token, as another process would build it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.base.turns import RedisTurns, database_turn, only_instance
from bot.conversations.scheduler import Scheduler
from storage.models import Conversation
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.staff import configure, hire
from tests.fakes.telegram import FakeTelegram

REDIS_URL = redis_url(SHARED)
TURN_KEY = "rd:turn:scheduler"
INTERVAL = 30.0  # the desks' own loop ticks once at start, then not again during a test
OLGA, IVAN = 1001, 5001


@pytest.fixture(params=["redis", "database"])
async def shared(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Any]:
    """A client of the instances' shared Redis, or None: they share only PostgreSQL."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer: one instance, which always has the turn")
    if request.param == "database":
        yield None
        return
    client = aioredis.from_url(REDIS_URL)
    yield client
    await client.delete(TURN_KEY)
    await client.aclose()


@pytest.fixture
async def desk(fake_telegram: FakeTelegram, database_url: str, shared: Any) -> AsyncIterator[Desk]:
    values: dict[str, Any] = {"scheduler_seconds": INTERVAL}
    if shared is not None:
        values["redis_url"] = REDIS_URL
    desk = await Desk(fake_telegram, database_url, **values).start()
    # The desk's own loop runs a round at start: stopped, and its round over, the test's
    # rounds are the only ones.
    await desk.core.scheduler.stop()
    await _round_over(shared)
    yield desk
    await desk.stop()


async def _round_over(shared: Any) -> None:
    for _ in range(250):
        if shared is not None:
            await shared.delete(TURN_KEY)  # the round's gap, or the round itself
            return
        async with database_turn("scheduler") as mine:
            if mine:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the desk's first round did not end")


def another_instance(desk: Desk, shared: Any) -> Scheduler:
    turns = RedisTurns(shared, gap=INTERVAL * 0.8) if shared is not None else database_turn
    return Scheduler(desk.core.actions, INTERVAL, desk.core.worker.wake, turns)


async def _answered_then_quiet(desk: Desk) -> None:
    await configure("default", auto_close_minutes=60)
    await hire("default", "Olga", telegram=OLGA)
    desk.fake.add_user(IVAN, "Ivan")
    desk.fake.user_sends(IVAN, "Where is my order?")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "It arrives tomorrow.", thread_id=thread)
    await desk.settle()
    desk.clock.advance(minutes=61)


async def test_two_instances_rounds_at_once_close_a_quiet_conversation_once(
    desk: Desk, shared: Any
) -> None:
    await _answered_then_quiet(desk)
    other = another_instance(desk, shared)

    ran = await asyncio.gather(desk.core.scheduler.round(), other.round())
    await desk.settle()

    assert True in ran
    if shared is not None:
        assert sorted(ran) == [False, True]  # the key stays for the gap: one round
    closed = [t for t in map(str, _texts(desk)) if "Closed automatically" in t]
    assert len(closed) == 1, _texts(desk)
    assert (await Conversation.get(id=1)).result == "auto"


def _texts(desk: Desk) -> list[str]:
    return [m.get("text", "") for m in desk.topic_messages("Ivan")]


async def test_while_one_instance_runs_a_round_the_other_skips_its_own(
    desk: Desk, shared: Any
) -> None:
    other = another_instance(desk, shared)
    turns = RedisTurns(shared, gap=0.01) if shared is not None else database_turn
    async with turns("scheduler") as mine:
        assert mine
        assert not await desk.core.scheduler.round()
        assert not await other.round()
    if shared is not None:
        await asyncio.sleep(0.05)  # the holder's short gap
    assert await other.round()


async def test_with_redis_one_round_runs_per_interval_and_a_dead_holders_turn_passes_on(
    desk: Desk, shared: Any
) -> None:
    if shared is None:
        pytest.skip("the database's lock is released with the dead holder's connection")
    quick = RedisTurns(shared, gap=0.3, lease=0.3)
    async with quick("scheduler") as mine:
        assert mine
    async with quick("scheduler") as mine:
        assert not mine  # within the gap after a round, no other round starts
    await asyncio.sleep(0.35)
    # A holder killed mid-round: its key stays until its lease runs out, no longer.
    await shared.set(TURN_KEY, "a dead instance", px=300)
    assert not await desk.core.scheduler.round()
    await asyncio.sleep(0.35)
    assert await desk.core.scheduler.round()


async def test_a_round_longer_than_the_lease_keeps_its_turn(desk: Desk, shared: Any) -> None:
    if shared is None:
        pytest.skip("the database's lock has no lease")
    turns = RedisTurns(shared, gap=0.01, lease=0.3)
    async with turns("scheduler") as mine:
        assert mine
        await asyncio.sleep(0.8)  # the lease is renewed while the round runs
        async with turns("scheduler") as theirs:
            assert not theirs


async def test_sqlite_has_one_instance_which_always_has_the_turn(
    fake_telegram: FakeTelegram, tmp_path: Any
) -> None:
    desk = await Desk(fake_telegram, f"sqlite://{tmp_path / 'one.db'}").start()
    try:
        assert desk.core.scheduler._turns is only_instance
        assert await desk.core.scheduler.round()
        assert await desk.core.scheduler.round()
    finally:
        await desk.stop()
