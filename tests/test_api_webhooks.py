"""The webhook's calls are outbox deliveries: signed, retried with back-off after a failing
receiver, dead after RELAYDESK_MAX_ATTEMPTS and told to the operators; a private address is
refused unless RELAYDESK_WEBHOOK_ALLOW_PRIVATE allows it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.base.webhook_signing import signature, verify
from storage.models import Delivery, DeliveryStatus
from tests.fakes.api import Receiver, api_entry_point
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.telegram import FakeTelegram

OLGA = 1001


def test_a_receiver_tells_a_true_signature_from_a_forged_or_stale_one() -> None:
    body, now = b'{"type":"message.created"}', int(time.time())
    signed = signature("whsec_1", now, body)
    assert signed.startswith("sha256=") and len(signed) == 7 + 64
    assert verify("whsec_1", str(now), signed, body, now)
    assert not verify("whsec_2", str(now), signed, body, now)
    assert not verify("whsec_1", str(now), signed, body + b" ", now)
    assert not verify("whsec_1", str(now), signed, body, now + 301)  # replayed later


@pytest.fixture
async def fast_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """Back-offs (2 s, 4 s, …) pass ten times faster; three attempts at most."""
    from bot.base.clock import Clock

    desk = Desk(
        fake_telegram, database_url, Clock(speed=10), webhook_allow_private=True, max_attempts=3
    )
    await desk.start()
    yield desk
    await desk.stop()


async def answer_in_topic(desk: Desk, name: str, text: str) -> None:
    thread = desk.topic_of(name)["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)
    await desk.settle(timeout=30)


async def test_a_failing_receiver_gets_the_answer_on_a_later_try(
    fast_desk: Desk, receiver: Receiver
) -> None:
    client, _ = await api_entry_point(fast_desk, receiver=receiver)
    await client.post_message("c-1", "Ivan", "Hello?")
    await fast_desk.settle()
    receiver.fail_next = 1
    await answer_in_topic(fast_desk, "Ivan", "Hello Ivan")
    assert receiver.failures == 1
    assert [e["message"]["text"] for e in receiver.of_type("message.created")] == ["Hello Ivan"]
    assert not await Delivery.filter(status=DeliveryStatus.DEAD).exists()


async def test_a_receiver_that_keeps_failing_is_given_up_and_operators_are_told(
    fast_desk: Desk, receiver: Receiver
) -> None:
    fast_desk.expect_dead_deliveries()
    client, _ = await api_entry_point(fast_desk, receiver=receiver)
    await client.post_message("c-1", "Ivan", "Hello?")
    await fast_desk.settle()
    receiver.fail_always = True
    await answer_in_topic(fast_desk, "Ivan", "Hello Ivan")
    dead = await Delivery.filter(status=DeliveryStatus.DEAD, target__startswith="customer:")
    assert len(dead) == 1 and dead[0].attempts >= 2
    assert "500" in (dead[0].last_error or "")
    # The answer and the event of Olga's taking the conversation: three tries each.
    assert receiver.failures == 6
    assert (
        await Delivery.filter(status=DeliveryStatus.DEAD, target__startswith="webhook:").count()
        == 1
    )
    assert any("Not delivered to the customer" in t for t in fast_desk.topic_texts("Ivan"))


async def test_events_wait_in_order_while_the_receiver_fails(
    fast_desk: Desk, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    client, _ = await api_entry_point(fast_desk, receiver=receiver)
    await client.post_message("c-1", "Ivan", "Hello?")
    await fast_desk.settle(timeout=30)
    types = [e["type"] for e in receiver.of_type("conversation.")]
    assert types[0] == "conversation.opened"
    assert receiver.failures == 2


async def test_a_private_address_is_refused(
    fake_telegram: FakeTelegram, database_url: str, receiver: Receiver
) -> None:
    desk = Desk(fake_telegram, database_url)  # RELAYDESK_WEBHOOK_ALLOW_PRIVATE unset
    await desk.start()
    try:
        desk.expect_dead_deliveries()
        client, _ = await api_entry_point(desk, receiver=receiver)
        await client.post_message("c-1", "Ivan", "Hello?")
        await desk.settle()
        await answer_in_topic(desk, "Ivan", "Hello Ivan")
        assert receiver.events == [] and receiver.failures == 0
        dead = await Delivery.filter(status=DeliveryStatus.DEAD).values_list(
            "last_error", flat=True
        )
        assert dead and all("private or loopback" in (e or "") for e in dead)
        assert any("webhook's address is not allowed" in t for t in desk.topic_texts("Ivan"))
    finally:
        await desk.stop()
