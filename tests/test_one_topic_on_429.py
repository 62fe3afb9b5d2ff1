"""One topic per customer, even when Telegram fails the header card right after the topic
was created: the retry posts the card into that topic instead of opening another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.base.clock import Clock
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5301

FAILURES = {
    "429": {"status": 429, "retry_after": 1},
    "502": {"status": 502, "description": "Bad Gateway"},
    "network": {"network": True},
}


@pytest.fixture
async def fast_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """Back-offs and retry_after pass twenty times faster, for the desk and the fake alike."""
    clock = Clock(speed=20)
    fake_telegram.clock = clock.monotonic
    desk = await Desk(fake_telegram, database_url, clock=clock).start()
    yield desk
    await desk.stop()


def _topics(desk: Desk) -> list[dict[str, Any]]:
    return [t for t in desk.fake.topics(OPERATOR_CHAT) if "Ivan" in t["name"]]


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
async def test_a_failed_card_after_the_topic_was_created_opens_no_second_topic(
    fast_desk: Desk, failure: str
) -> None:
    desk = fast_desk
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.fail_next("sendMessage", **FAILURES[failure])  # the card (with "Hi") in the topic
    desk.fake.user_sends(CUSTOMER, "Hi")
    await desk.settle(timeout=30)

    assert len(_topics(desk)) == 1
    shown = desk.topic_messages("Ivan")
    assert "Conversation #1" in shown[0]["text"] and "reply_markup" in shown[0]
    assert desk.topic_texts("Ivan") == ["Hi"]
    assert len(desk.fake.calls_to("createForumTopic")) == 1
    assert desk.fake.retry_after_violations() == []


async def test_the_operators_buttons_work_on_the_card_posted_on_the_retry(
    fast_desk: Desk,
) -> None:
    desk = fast_desk
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.fail_next("sendMessage", status=429, retry_after=1)
    desk.fake.user_sends(CUSTOMER, "Hi")
    await desk.settle(timeout=30)

    card = desk.topic_messages("Ivan")[0]
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "Hello, Ivan", thread_id=thread)
    await desk.settle(timeout=30)

    assert desk.customer_sees(CUSTOMER)[-1]["text"] == "Hello, Ivan"
    assert len(_topics(desk)) == 1
    assert desk.fake.message(OPERATOR_CHAT, card["message_id"])["text"] != card["text"]


@pytest.mark.parametrize("status", [429, 500])
async def test_a_failed_slack_thread_start_is_retried_into_one_thread(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str, status: int
) -> None:
    # In Slack the card is the thread's parent: one call opens the thread, nothing to split.
    desk = Desk.with_slack(
        fake_telegram, fake_slack, database_url, SLACK_CHANNEL, clock=Clock(speed=20)
    )
    await desk.start()
    try:
        desk.fake.add_user(CUSTOMER, "Ivan")
        fake_slack.fail_next("chat.postMessage", status=status)
        desk.fake.user_sends(CUSTOMER, "Hi")
        await desk.settle(timeout=30)

        parents = fake_slack.messages(SLACK_CHANNEL)
        assert len(parents) == 1 and "Conversation #1" in parents[0]["text"]
        replies = fake_slack.messages(SLACK_CHANNEL, parents[0]["ts"])
        assert [m["text"] for m in replies] == ["Hi"]
    finally:
        await desk.stop()


async def test_a_topic_deleted_by_hand_is_opened_once_again_when_its_new_card_fails(
    fast_desk: Desk,
) -> None:
    desk = fast_desk
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Hi")
    await desk.settle(timeout=30)
    old = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.delete_topic(OPERATOR_CHAT, old)

    desk.fake.fail_next("sendMessage", status=429, retry_after=1)
    desk.fake.user_sends(CUSTOMER, "Are you there?")
    await desk.settle(timeout=30)

    assert len(desk.fake.calls_to("createForumTopic")) == 2  # the first and the re-opened
    shown = desk.topic_messages("Ivan")
    assert desk.topic_of("Ivan")["message_thread_id"] != old
    assert "Conversation #1" in shown[0]["text"] and "reply_markup" in shown[0]
    assert desk.topic_texts("Ivan") == ["Are you there?"]
