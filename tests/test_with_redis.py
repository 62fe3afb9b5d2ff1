"""With RELAYDESK_REDIS_URL set, dedupe, locks and pacing live in Redis; the story is the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.base.dedupe import RedisDeduper
from bot.base.events import CustomerRef, EntryPointRef, InboundMessage, MessageBody
from storage.models import Conversation
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.telegram import FakeTelegram

REDIS_URL = redis_url(SHARED)
CUSTOMER = 5001


@pytest.fixture
async def redis_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    client = aioredis.from_url(REDIS_URL)
    await client.flushdb()
    desk = await Desk(fake_telegram, database_url, redis_url=REDIS_URL).start()
    yield desk
    await desk.stop()
    await client.flushdb()
    await client.aclose()


async def test_a_conversation_round_trip_with_redis(redis_desk: Desk) -> None:
    desk = redis_desk
    assert isinstance(desk.core.deduper, RedisDeduper)
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Hi")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "Hello", thread_id=thread)
    await desk.settle()

    assert desk.customer_sees(CUSTOMER)[-1]["text"] == "Hello"


async def test_racing_first_messages_open_one_conversation_with_redis_locks(
    redis_desk: Desk,
) -> None:
    desk = redis_desk
    entry = EntryPointRef("telegram", f"telegram:{desk.fake.bot_id}", "@relaydesk_bot")
    customer = CustomerRef("telegram", str(CUSTOMER), "Ivan")
    desk.fake.add_user(CUSTOMER, "Ivan")
    sent = [desk.fake.user_sends(CUSTOMER, str(i)) for i in range(6)]
    burst = [
        InboundMessage(
            entry, customer, str(CUSTOMER), str(m["message_id"]), MessageBody("text", m["text"])
        )
        for m in sent
    ]
    await asyncio.gather(*(desk.core.inbox.accept(m) for m in burst))
    desk.core.worker.wake()
    await desk.settle()

    assert await Conversation.all().count() == 1
    assert sorted(desk.topic_texts("Ivan")) == [str(i) for i in range(6)]


async def test_admin_sessions_and_sign_in_throttling_live_in_redis(redis_desk: Desk) -> None:
    from storage.models import AdminSession
    from tests.fakes.admin import PanelClient, make_account

    await make_account("boss")
    browser = PanelClient(redis_desk.url)
    try:
        status, html = await browser.sign_in("boss")
        assert status == 200 and "<h1>Dashboard</h1>" in html
        for _ in range(5):
            await browser.sign_in("nobody", "wrong password!")
    finally:
        await browser.close()

    client = aioredis.from_url(REDIS_URL)
    try:
        assert await client.keys("relaydesk:admin-session:*")
        assert int(await client.get("relaydesk:login-failures:name:nobody")) == 5
    finally:
        await client.aclose()
    assert await AdminSession.all().count() == 0  # nothing of the session in the database
