"""Edits and replies keep their meaning on the other side."""

from __future__ import annotations

from tests.fakes.desk import OPERATOR_CHAT, Desk

CUSTOMER = 5001


async def _open(desk: Desk) -> tuple[int, dict]:
    desk.fake.add_user(CUSTOMER, "Ivan")
    first = desk.fake.user_sends(CUSTOMER, "My order 1234 is late")
    await desk.settle()
    return desk.topic_of("Ivan")["message_thread_id"], first


async def test_customer_edit_changes_the_copy_in_the_topic(desk: Desk) -> None:
    _, first = await _open(desk)
    desk.fake.user_edits(CUSTOMER, first["message_id"], "My order 1235 is late")
    await desk.settle()

    assert desk.topic_texts("Ivan") == ["My order 1235 is late"]


async def test_operator_edit_changes_what_the_customer_sees(desk: Desk) -> None:
    thread, _ = await _open(desk)
    answer = desk.fake.member_sends(OPERATOR_CHAT, 1001, "It ships tomorow", thread_id=thread)
    await desk.settle()
    desk.fake.user_edits(OPERATOR_CHAT, answer["message_id"], "It ships tomorrow")
    await desk.settle()

    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["It ships tomorrow"]


async def test_operator_reply_to_a_customer_message_is_a_reply_for_the_customer(desk: Desk) -> None:
    thread, first = await _open(desk)
    copy_in_topic = desk.topic_messages("Ivan")[-1]
    desk.fake.member_sends(
        OPERATOR_CHAT, 1001, "Checking", thread_id=thread, reply_to=copy_in_topic["message_id"]
    )
    await desk.settle()

    answer = desk.customer_sees(CUSTOMER)[-1]
    assert answer["reply_to_message"]["message_id"] == first["message_id"]


async def test_customer_reply_to_an_answer_is_a_reply_in_the_topic(desk: Desk) -> None:
    thread, _ = await _open(desk)
    answer = desk.fake.member_sends(OPERATOR_CHAT, 1001, "Which city?", thread_id=thread)
    await desk.settle()
    answer_copy = desk.customer_sees(CUSTOMER)[-1]
    desk.fake.user_sends(CUSTOMER, "Kyiv", reply_to=answer_copy["message_id"])
    await desk.settle()

    assert desk.topic_messages("Ivan")[-1]["reply_to_message"]["message_id"] == answer["message_id"]
