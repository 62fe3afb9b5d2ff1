"""Customers writing on in their open conversations at the same time: their messages are
stored together (bot/conversations/writing_on.py), and nothing of what one message at a time
promised is lost: each text reaches its topic in order, a repeated update is stored once,
and a customer without an open conversation still gets one topic."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.base.events import CustomerRef, EntryPointRef, InboundMessage, MessageBody
from storage.models import Conversation, Delivery, DeliveryStatus, Message
from tests.fakes.desk import OPERATOR_CHAT, Desk

NAMES = {5001: "Anna", 5002: "Boris", 5003: "Clara", 5004: "Denys"}


def _inbound(desk: Desk, user_id: int, text: str) -> InboundMessage:
    """A customer's text as the Telegram bridge hands it to the core: it is in the customer's
    chat (the desk copies it from there) but given to the core directly, many at once, and
    not read by the desk's own polling."""
    chat = desk.fake.chats[user_id]
    sent = desk.fake.add_message(chat, desk.fake.users[user_id], {"text": text})
    entry = EntryPointRef("telegram", f"telegram:{desk.fake.bot_id}", "@relaydesk_bot")
    customer = CustomerRef("telegram", str(user_id), NAMES[user_id])
    return InboundMessage(
        entry, customer, str(user_id), str(sent["message_id"]), MessageBody("text", text)
    )


async def _customers_with_topics(desk: Desk, users: list[int]) -> None:
    for user_id in users:
        desk.fake.add_user(user_id, NAMES[user_id])
        desk.fake.user_sends(user_id, "Hello")
    await desk.settle()


async def test_customers_writing_at_once_see_each_text_in_their_topic_in_order(
    desk: Desk,
) -> None:
    users = [5001, 5002, 5003]
    await _customers_with_topics(desk, users)

    lines = {u: [f"{NAMES[u]} line {i}" for i in range(1, 4)] for u in users}

    async def writes(user_id: int) -> list:
        return [
            await desk.core.inbox.accept(_inbound(desk, user_id, text)) for text in lines[user_id]
        ]

    accepted = await asyncio.gather(*(writes(u) for u in users))
    desk.core.worker.wake()
    await desk.settle()

    for user_id in users:
        assert desk.topic_texts(NAMES[user_id]) == ["Hello", *lines[user_id]]
    stored = [a for per_user in accepted for a in per_user]
    assert not any(a.duplicate for a in stored)
    assert len({a.message_id for a in stored}) == 9
    assert await Conversation.all().count() == 3
    assert await Message.all().count() == 12
    assert not await Delivery.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD])


async def test_a_repeated_update_among_others_is_stored_once_and_the_others_go(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    await _customers_with_topics(desk, [5001, 5002, 5003])
    (boris_hello,) = await Message.filter(text="Hello", conversation__contact__name="Boris")
    again = InboundMessage(
        EntryPointRef("telegram", f"telegram:{desk.fake.bot_id}", "@relaydesk_bot"),
        CustomerRef("telegram", "5002", "Boris"),
        "5002",
        boris_hello.source_key.rsplit(":", 1)[1],
        MessageBody("text", "Hello"),
    )
    anna = _inbound(desk, 5001, "Anna again")
    clara = _inbound(desk, 5003, "Clara again")

    with caplog.at_level(logging.INFO, logger="bot.conversations.writing_on"):
        accepted = await asyncio.gather(*(desk.core.inbox.accept(m) for m in (anna, again, clara)))
    desk.core.worker.wake()
    await desk.settle()

    # The three went together, the database refused the repeat, and each went alone.
    assert "Storing 3 customers' messages together failed (IntegrityError)" in caplog.text
    assert [a.duplicate for a in accepted] == [False, True, False]
    assert desk.topic_texts("Boris") == ["Hello"]
    assert desk.topic_texts("Anna") == ["Hello", "Anna again"]
    assert desk.topic_texts("Clara") == ["Hello", "Clara again"]
    assert await Message.filter(text="Hello").count() == 3


async def test_a_new_customer_among_those_writing_on_gets_one_topic(desk: Desk) -> None:
    await _customers_with_topics(desk, [5001])
    desk.fake.add_user(5004, "Denys")
    anna = _inbound(desk, 5001, "Anna again")
    denys = _inbound(desk, 5004, "Hi, I am new")

    await asyncio.gather(*(desk.core.inbox.accept(m) for m in (anna, denys)))
    desk.core.worker.wake()
    await desk.settle()

    assert len(desk.fake.topics(OPERATOR_CHAT)) == 2
    assert desk.topic_texts("Denys") == ["Hi, I am new"]
    assert desk.topic_texts("Anna") == ["Hello", "Anna again"]
