"""Slack retries a delivery by sending the very same body again (X-Slack-Retry-Num): every
retry is answered 2xx and what it asks for happens once."""

from __future__ import annotations

import json
import time

import pytest

from bot.base.dedupe import MemoryDeduper, once
from storage.models import Conversation, ConversationStatus, Direction, Message
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import Desk

CUSTOMER = 5001
OLGA = "U0OLGA"


def events(desk: Desk) -> str:
    return f"{desk.url}/slack/events"


async def _open(desk: Desk) -> str:
    """A Telegram customer writes; returns the Slack thread's ts."""
    desk.fake.add_user(CUSTOMER, "Ivan", language_code="uk")
    desk.fake.user_sends(CUSTOMER, "My order is late")
    await desk.settle()
    return desk.slack.messages(SLACK_CHANNEL)[0]["ts"]


async def _delivered_with_retries(desk: Desk, body: bytes, headers: dict[str, str]) -> list[int]:
    """Slack's delivery and its three retries of the same body; their statuses."""
    fake = desk.slack
    status, _ = await fake.deliver(events(desk), body, headers)
    statuses = [status]
    for retry in (1, 2, 3):
        status, _ = await fake.resend(events(desk), body, headers, retry_num=retry)
        statuses.append(status)
    await desk.settle()
    return statuses


async def _operator_posts_with_retries(desk: Desk, thread: str, text: str) -> list[int]:
    envelope = desk.slack.post_envelopes(SLACK_CHANNEL, OLGA, text, thread_ts=thread)[0]
    return await _delivered_with_retries(desk, *desk.slack.signed_event(envelope))


def _responses_saying(desk: Desk, words: str) -> int:
    return sum(words in json.dumps(r, ensure_ascii=False) for r in desk.slack.responses)


async def test_a_retried_thread_reply_reaches_the_customer_once(slack_desk: Desk) -> None:
    thread = await _open(slack_desk)
    statuses = await _operator_posts_with_retries(slack_desk, thread, "only once")

    assert statuses == [200] * 4
    assert [m["text"] for m in slack_desk.customer_sees(CUSTOMER)] == ["only once"]


async def test_a_retried_note_command_saves_one_note(slack_desk: Desk) -> None:
    thread = await _open(slack_desk)
    statuses = await _operator_posts_with_retries(slack_desk, thread, "!note call him back")

    assert statuses == [200] * 4
    assert await Message.filter(direction=Direction.NOTE, text="call him back").count() == 1
    assert slack_desk.customer_sees(CUSTOMER) == []


async def test_a_retried_close_command_closes_once(slack_desk: Desk) -> None:
    thread = await _open(slack_desk)
    statuses = await _operator_posts_with_retries(slack_desk, thread, "!close solved")

    assert statuses == [200] * 4
    assert (await Conversation.get(id=1)).status == ConversationStatus.CLOSED
    closing = [m for m in slack_desk.customer_sees(CUSTOMER) if "закрито" in m["text"]]
    assert len(closing) == 1
    thread_texts = [m["text"] for m in slack_desk.slack.messages(SLACK_CHANNEL, thread)]
    assert not any("already" in t for t in thread_texts)


async def test_a_retried_button_press_acts_once(slack_desk: Desk) -> None:
    thread = await _open(slack_desk)
    payload = slack_desk.slack.block_actions(SLACK_CHANNEL, thread, OLGA, "rd_take", "rd:take:1")
    statuses = await _delivered_with_retries(slack_desk, *slack_desk.slack.signed_payload(payload))

    assert statuses == [200] * 4
    assert _responses_saying(slack_desk, "You took conversation #1.") == 1
    assert _responses_saying(slack_desk, "already") == 0


async def test_a_retried_shortcut_offers_the_card_once(slack_desk: Desk) -> None:
    thread = await _open(slack_desk)
    reply = slack_desk.slack.messages(SLACK_CHANNEL, thread)[-1]
    payload = slack_desk.slack.message_action(SLACK_CHANNEL, reply["ts"], OLGA, "relaydesk_actions")
    statuses = await _delivered_with_retries(slack_desk, *slack_desk.slack.signed_payload(payload))

    assert statuses == [200] * 4
    assert _responses_saying(slack_desk, "rd:take:1") == 1


async def test_a_retried_desk_command_answers_once(slack_desk: Desk) -> None:
    form = slack_desk.slack.slash_command_form("/desk", "help", OLGA, SLACK_CHANNEL)
    statuses = await _delivered_with_retries(slack_desk, *slack_desk.slack.signed_form(form))

    assert statuses == [200] * 4
    assert _responses_saying(slack_desk, "!close") == 1


async def test_a_repeat_the_retry_memory_missed_is_still_stored_once(slack_desk: Desk) -> None:
    """A repeat arriving after the memory of deliveries was lost (a restart without Redis)
    is recognised by the stored message itself."""
    thread = await _open(slack_desk)
    fake = slack_desk.slack
    envelope = fake.post_envelopes(SLACK_CHANNEL, OLGA, "stored once", thread_ts=thread)[0]
    body, headers = fake.signed_event(envelope)
    first, _ = await fake.deliver(events(slack_desk), body, headers)
    await slack_desk.settle()
    await slack_desk.core.deduper.forget(f"slack:event:{envelope['event_id']}")
    again, _ = await fake.resend(events(slack_desk), body, headers, retry_num=1)
    await slack_desk.settle()

    assert (first, again) == (200, 200)
    assert await Message.filter(text="stored once").count() == 1
    assert [m["text"] for m in slack_desk.customer_sees(CUSTOMER)] == ["stored once"]


async def test_a_failed_attempt_is_not_remembered_so_the_next_retry_does_the_work() -> None:
    deduper = MemoryDeduper(time.monotonic)
    done: list[str] = []

    async def failing() -> None:
        raise ConnectionError("database went away")

    async def working() -> None:
        done.append("stored")

    with pytest.raises(ConnectionError):
        await once(deduper, "slack:event:Ev1", failing)
    assert await once(deduper, "slack:event:Ev1", working)
    assert not await once(deduper, "slack:event:Ev1", working)
    assert done == ["stored"]
