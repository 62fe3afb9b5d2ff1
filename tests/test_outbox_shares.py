"""Several instances divide the outbox's targets through Redis: each target is sent by one
live instance, a thread's header by the instance that sends its messages, and when one
instance leaves or stops beating, the others take its share. Queueing for another's target
nudges that one at once. These are the shares of two processes, built here side by side on
one Redis database as each process would build its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import redis.asyncio as aioredis

from bot.base.clock import Clock
from bot.outbox.shares import ROSTER, AllMine, RedisShares
from tests.fakes.redis_db import SHARED, redis_url

TARGETS = [f"thread:{n}" for n in range(200)] + [f"customer:{n}" for n in range(200)]


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url(SHARED))
    await client.delete(ROSTER)
    yield client
    await client.delete(ROSTER)
    await client.aclose()


async def two_instances(redis: aioredis.Redis) -> tuple[RedisShares, RedisShares]:
    """Two instances' shares that have each beaten once and know of each other."""
    first, second = RedisShares(redis, Clock()), RedisShares(redis, Clock())
    for shares in (first, second, first):
        await shares.beat()
    return first, second


@asynccontextmanager
async def listening(shares: RedisShares) -> AsyncIterator[asyncio.Event]:
    """`shares` running as in its worker; the event is set when its worker would be woken."""
    woken = asyncio.Event()
    running = asyncio.create_task(shares.run(woken.set, lambda: True))
    try:
        await asyncio.sleep(0.2)  # subscribed
        woken.clear()
        yield woken
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_one_instance_sends_everything() -> None:
    alone = AllMine()
    assert alone.alone
    assert all(alone.mine(target) for target in TARGETS)


async def test_two_instances_divide_the_targets_and_agree_on_who_sends_each(
    redis: aioredis.Redis,
) -> None:
    first, second = await two_instances(redis)

    assert not first.alone and not second.alone
    assert first.roster == second.roster
    for target in TARGETS:
        assert first.mine(target) != second.mine(target), target
    share = sum(first.mine(target) for target in TARGETS) / len(TARGETS)
    assert 0.35 < share < 0.65
    # A thread's title and card go with its messages.
    for n in range(50):
        assert first.mine(f"header:{n}") == first.mine(f"thread:{n}")


async def test_an_instance_that_leaves_hands_its_share_to_the_other(
    redis: aioredis.Redis,
) -> None:
    first, second = await two_instances(redis)
    await second.leave()
    woken = []
    await first.beat(lambda: woken.append(True))

    assert first.alone and woken == [True]
    assert all(first.mine(target) for target in TARGETS)


async def test_an_instance_that_stops_beating_drops_out_after_its_time(
    redis: aioredis.Redis,
) -> None:
    """A killed process never leaves: its heartbeat grows old, and after TTL it is gone."""
    clock = Clock(speed=50.0)  # TTL 0.3 s: 6 s of the clock
    first, killed = RedisShares(redis, clock, ttl=6.0), RedisShares(redis, clock, ttl=6.0)
    await killed.beat()
    await first.beat()
    assert not first.alone

    await asyncio.sleep(0.2)  # 10 s of the clock, no beat from `killed`
    await first.beat()
    assert first.alone


async def test_queueing_for_another_instances_target_wakes_that_instance(
    redis: aioredis.Redis,
) -> None:
    first, second = await two_instances(redis)
    async with listening(second) as woken:
        first.queued(next(target for target in TARGETS if second.mine(target)))
        first.nudge()
        await asyncio.wait_for(woken.wait(), 5)


async def test_queueing_for_its_own_target_nudges_nobody(redis: aioredis.Redis) -> None:
    first, second = await two_instances(redis)
    async with listening(second) as woken:
        first.queued(next(target for target in TARGETS if first.mine(target)))
        first.nudge()
        await asyncio.sleep(0.3)
        assert not woken.is_set()
