"""A customer writes for the first time; operators see a topic and answer in it."""

from __future__ import annotations

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
