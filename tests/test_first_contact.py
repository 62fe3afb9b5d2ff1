"""A customer writes for the first time; operators see a topic and answer in it."""

from __future__ import annotations

import asyncio

from tests.fakes.desk import OPERATOR_CHAT, Desk

CUSTOMER = 5001


async def test_first_message_opens_a_topic_with_a_header_card(desk: Desk) -> None:
    desk.fake.add_user(CUSTOMER, "Ivan", last_name="Petrov", username="ivanp", language_code="ru")
    desk.fake.user_sends(CUSTOMER, "Hello, my order is late")
    await desk.settle()

    topic = desk.topic_of("Ivan Petrov")
    assert topic["name"] == "🆕 Ivan Petrov #1"
    # One group message: the card, and below it what the customer wrote.
    (card,) = desk.topic_messages("Ivan Petrov")
    assert "Conversation #1" in card["text"]
    assert "@ivanp" in card["text"] and "ru" in card["text"]
    buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Take", "Transfer", "Close"]
    assert desk.topic_texts("Ivan Petrov") == ["Hello, my order is late"]


async def test_operator_reply_reaches_the_customer_and_is_marked_delivered(desk: Desk) -> None:
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Hi")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]

    reply = desk.fake.member_sends(
        OPERATOR_CHAT, 1001, "Hello Ivan, how can I help?", thread_id=thread
    )
    await desk.settle()

    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["Hello Ivan, how can I help?"]
    assert [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, reply["message_id"])] == ["👍"]
    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"


async def test_lines_typed_one_after_another_open_the_topic_as_one_message(
    fake_telegram, database_url: str
) -> None:
    """The first text waits until the customer pauses (1 s here), not 1 s in all: four
    lines typed 0.35 s apart (1.05 s in all) come with the card, the one after a long pause
    on its own."""
    desk = await Desk(fake_telegram, database_url, first_message_wait_seconds=1.0).start()
    try:
        desk.fake.add_user(CUSTOMER, "Ivan")
        for line in ("Hello", "my order", "is late", "since Monday"):
            desk.fake.user_sends(CUSTOMER, line)
            await asyncio.sleep(0.35)
        await desk.settle()
        desk.fake.user_sends(CUSTOMER, "Anyone?")
        await desk.settle()

        card, later = desk.topic_messages("Ivan")
        assert "Conversation #1" in card["text"]
        assert desk.topic_texts("Ivan") == [
            "Hello",
            "my order",
            "is late",
            "since Monday",
            "Anyone?",
        ]
        assert later["text"] == "Anyone?"
    finally:
        await desk.stop()


async def test_customers_typing_at_the_same_time_each_open_their_topic_as_one_message(
    fake_telegram, database_url: str
) -> None:
    """Their lines arrive together, so each first text is held back for all of them at once
    (`FirstTexts.others`): still each topic opens with the card and all four lines."""
    customers = {CUSTOMER + n: f"Customer{n}" for n in range(3)}
    desk = await Desk(fake_telegram, database_url, first_message_wait_seconds=1.0).start()
    try:
        for user, name in customers.items():
            desk.fake.add_user(user, name)
        for line in ("Hello", "my order", "is late", "since Monday"):
            for user in customers:
                desk.fake.user_sends(user, f"{line} ({user})")
            await asyncio.sleep(0.35)
        await desk.settle()

        for user, name in customers.items():
            (card,) = desk.topic_messages(name)
            assert "Conversation #" in card["text"]
            assert desk.topic_texts(name) == [
                f"{line} ({user})" for line in ("Hello", "my order", "is late", "since Monday")
            ]
    finally:
        await desk.stop()
