"""Under Telegram's real limits the desk paces itself: no 429, nothing dropped, order kept;
and where its budget is set too high, each 429's retry_after is waited out."""

from __future__ import annotations

import pytest

from bot.base.ports import Bucket
from bot.outbox.pacing import MemoryPacer, RedisPacer
from tests.fakes.desk import OPERATOR_CHAT, TELEGRAM_LIMITS, Desk
from tests.fakes.redis_db import PACING, redis_url


async def test_a_burst_of_customers_is_paced_to_the_group_budget(
    limited_telegram, database_url: str
) -> None:
    fake, clock = limited_telegram
    desk = await Desk(
        fake,
        database_url,
        clock=clock,
        **TELEGRAM_LIMITS,
    ).start()
    try:
        customers = range(6001, 6013)  # 24 group messages: past one minute's 20
        for user in customers:
            fake.add_user(user, f"C{user}")
            fake.user_sends(user, f"{user} first")
            fake.user_sends(user, f"{user} second")
        await desk.settle(timeout=60)

        assert fake.stats.too_many_requests == 0
        for user in customers:
            assert desk.topic_texts(f"C{user}") == [f"{user} first", f"{user} second"]
    finally:
        await desk.stop()


async def test_a_budget_set_above_telegrams_waits_out_each_429(
    limited_telegram, database_url: str
) -> None:
    fake, clock = limited_telegram
    # Configured for 40 a minute where Telegram allows 20: Telegram answers 429s.
    desk = await Desk(
        fake,
        database_url,
        clock=clock,
        telegram_group_per_minute=40,
        telegram_chat_per_second=1,
        telegram_global_per_second=30,
    ).start()
    try:
        customers = range(6101, 6113)  # 24 group messages (a topic, a card with texts)
        for user in customers:
            fake.add_user(user, f"C{user}")
            fake.user_sends(user, f"{user} first")
            fake.user_sends(user, f"{user} second")
        await desk.settle(timeout=60)

        assert fake.stats.too_many_requests > 0
        # Nothing went into the group again before a 429's retry_after was over.
        assert fake.retry_after_violations() == []
        for user in customers:
            # One topic each, even where a 429 hit the card right after the topic was made.
            topics = [t for t in fake.topics(OPERATOR_CHAT) if f"C{user} " in t["name"]]
            assert len(topics) == 1
            shown = desk.topic_messages(f"C{user} ")
            assert "reply_markup" in shown[0]
            assert desk.topic_texts(f"C{user} ") == [f"{user} first", f"{user} second"]
    finally:
        await desk.stop()


async def test_memory_pacer_holds_twenty_a_minute() -> None:
    now = [0.0]
    pacer = MemoryPacer(lambda: now[0])
    group = [Bucket("g", 20, 60.0)]
    assert all([await pacer.reserve(group) == 0 for _ in range(20)])
    wait = await pacer.reserve(group)
    assert 60 <= wait <= 64
    now[0] = wait
    assert await pacer.reserve(group) == 0


async def test_redis_pacer_shares_the_budget_between_instances() -> None:
    redis_asyncio = pytest.importorskip("redis.asyncio")
    client = redis_asyncio.from_url(redis_url(PACING))
    try:
        await client.flushdb()
        now = [1000.0]
        first, second = RedisPacer(client, lambda: now[0]), RedisPacer(client, lambda: now[0])
        group = [Bucket("g", 20, 60.0)]
        for pacer in (first, second) * 10:
            assert await pacer.reserve(group) == 0
        assert await second.reserve(group) > 59
        await first.hold("g", 5)
        now[0] += 70
        assert await first.reserve(group, ticket="slow") == 0
        now[0] += 10
        await first.restamp("slow")
        assert await second.reserve(group, slots=19) == 0
        assert await second.reserve(group) > 0  # the slow send still counts
    finally:
        await client.flushdb()
        await client.aclose()


async def test_a_slow_send_counts_from_when_it_was_over() -> None:
    now = [0.0]
    pacer = MemoryPacer(lambda: now[0])
    group = [Bucket("g", 20, 60.0)]
    for i in range(20):
        assert await pacer.reserve(group, ticket=str(i)) == 0
    now[0] = 5.0  # the last send took five seconds to be over
    await pacer.restamp("19")
    now[0] = 64.0  # the first nineteen slots are free again, the slow one is not
    assert await pacer.reserve(group, slots=19) == 0
    assert await pacer.reserve(group) > 0


async def test_a_send_over_within_the_slack_keeps_its_stamp_in_redis() -> None:
    """A quick send (an instant reply, a local Bot API server) is not stamped again: the
    window's slack covers it, and the restamp's round trip to Redis is saved."""
    redis_asyncio = pytest.importorskip("redis.asyncio")
    client = redis_asyncio.from_url(redis_url(PACING))
    try:
        await client.flushdb()
        now = [1000.0]
        pacer = RedisPacer(client, lambda: now[0])
        chat = [Bucket("chat:1", 1, 1.0)]
        assert await pacer.reserve(chat, ticket="quick") == 0
        assert await pacer.reserve(chat, ticket="other") > 0  # one a second
        (stamp,) = await client.zrange("rd:pace:chat:1", 0, -1, withscores=True)
        now[0] += 0.04  # over within the 5 % slack of a one-second window
        await pacer.restamp("quick")
        assert await client.zrange("rd:pace:chat:1", 0, -1, withscores=True) == [stamp]
        now[0] = 1001.06  # its slot is free once its window (with the slack) is over
        assert await pacer.reserve(chat) == 0
    finally:
        await client.flushdb()
        await client.aclose()


async def test_a_desk_that_met_many_customers_keeps_only_the_budgets_still_running() -> None:
    """Each customer's chat is a budget of its own; the ones out of their window are
    forgotten (a long-running desk meets far more customers than it serves at once), while
    the group's budget and a 429's hold stay."""
    now = [0.0]
    pacer = MemoryPacer(lambda: now[0])
    group = Bucket("g", 20, 60.0)
    await pacer.hold("chat:held", 10_000.0)
    for customer in range(100_000):  # one a hundredth of a second
        now[0] += 0.01
        if customer == 99_000:  # ten seconds before the end
            assert all([await pacer.reserve([group]) == 0 for _ in range(20)])
        assert await pacer.reserve([Bucket(f"chat:{customer}", 1, 1.0)]) == 0
    assert len(pacer._sent) < 1_200  # noqa: SLF001 (its memory, not its behaviour)
    assert await pacer.reserve([Bucket("chat:held", 1, 1.0)]) > 0
    assert await pacer.reserve([group]) > 0
