"""A customer's lock in Redis, shared by instances: one holder at a time across instances, and
the holders of one instance wait for each other there, taking the Redis lock once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.base.locks import HANDED_ON_AT_MOST, LockNotHad, RedisLocks
from tests.fakes.redis_db import SHARED, redis_url

KEY = "identity:telegram:5001"
STORED = f"rd:lock:{KEY}"


class CountingLocks(RedisLocks):
    """Counting the keys asked of Redis, and the round trips that asked them."""

    def __init__(self, client: aioredis.Redis) -> None:
        super().__init__(client)
        self.taken = 0
        self.trips: list[int] = []

    async def _take_all(self, asked: list[tuple[str, str]]) -> list[bool | BaseException]:
        self.taken += len(asked)
        self.trips.append(len(asked))
        return await super()._take_all(asked)


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url(SHARED))
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def test_a_customers_texts_of_one_moment_take_the_redis_lock_once_in_order(
    client: aioredis.Redis,
) -> None:
    locks = CountingLocks(client)
    held: list[int] = []

    async def text(number: int) -> None:
        async with locks(KEY):
            held.append(number)
            assert await client.exists(STORED)
            await asyncio.sleep(0.01)
            held.append(number)

    await asyncio.wait_for(asyncio.gather(*(text(n) for n in range(5))), 10)

    assert held == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]  # one at a time, in the order they came
    assert locks.taken == 1
    assert not await client.exists(STORED)  # given back after the last


async def test_another_instance_waits_while_this_one_hands_the_lock_on(
    client: aioredis.Redis,
) -> None:
    here, there = RedisLocks(client), RedisLocks(client)
    order: list[str] = []

    async def holder(name: str, locks: RedisLocks) -> None:
        async with locks(KEY):
            order.append(name)
            await asyncio.sleep(0.05)

    first = asyncio.create_task(holder("here 1", here))
    await asyncio.sleep(0.01)
    other = asyncio.create_task(holder("there", there))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(holder("here 2", here))
    await asyncio.wait_for(asyncio.gather(first, other, second), 10)

    assert order == ["here 1", "here 2", "there"]


async def test_the_lock_goes_back_to_redis_after_so_many_holders_here(
    client: aioredis.Redis,
) -> None:
    locks = CountingLocks(client)

    async def text() -> None:
        async with locks(KEY):
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(*(text() for _ in range(HANDED_ON_AT_MOST + 1))), 10)

    assert locks.taken == 2
    assert not await client.exists(STORED)


async def test_a_waiter_cancelled_after_the_lock_was_handed_to_it_gives_it_back(
    client: aioredis.Redis,
) -> None:
    locks = RedisLocks(client)
    waiting: list[asyncio.Task[None]] = []

    async def waiter() -> None:
        async with locks(KEY):
            raise AssertionError("cancelled before its turn")

    async def holder() -> None:
        async with locks(KEY):
            waiting.append(asyncio.create_task(waiter()))
            await asyncio.sleep(0.01)
            waiting[0].cancel()  # while the holder hands the lock on to it

    await asyncio.wait_for(holder(), 10)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting[0], 10)

    assert not await client.exists(STORED)
    async with asyncio.timeout(1):  # taken again at once, not after a lease
        async with RedisLocks(client)(KEY):
            assert await client.exists(STORED)


async def test_keys_asked_in_the_same_moment_go_to_redis_in_one_round_trip(
    client: aioredis.Redis,
) -> None:
    locks = CountingLocks(client)

    async def customer(number: int) -> None:
        async with locks(f"identity:telegram:{number}"):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(asyncio.gather(*(customer(n) for n in range(20))), 10)

    assert locks.trips == [20]
    assert await client.keys("rd:lock:*") == []


async def test_a_key_held_elsewhere_past_the_wait_is_a_clear_error(
    client: aioredis.Redis,
) -> None:
    there, here = RedisLocks(client), RedisLocks(client)
    here.WAIT_AT_MOST = 0.3

    async with there(KEY):
        with pytest.raises(LockNotHad):
            async with here(KEY):
                raise AssertionError("held twice")


async def test_a_holder_working_past_the_lease_keeps_the_key(client: aioredis.Redis) -> None:
    here, there = RedisLocks(client, lease=0.3), RedisLocks(client, lease=0.3)
    there.WAIT_AT_MOST = 0.5

    async with here(KEY):
        await asyncio.sleep(0.6)  # twice the lease: renewed meanwhile
        with pytest.raises(LockNotHad):
            async with there(KEY):
                raise AssertionError("held twice")
    assert not await client.exists(STORED)
