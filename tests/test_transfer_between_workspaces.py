"""Two lines in two workspaces: first line in a Telegram forum, second line in a Slack
channel. A conversation moves from one to the other with part of its history."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.models import AuditEntry
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.slack import FakeSlack
from tests.fakes.staff import configure, hire
from tests.fakes.telegram import FakeTelegram
from tests.fakes.workspaces import SlackWorkspace

OLGA, PETRO = 1001, 1002
IVAN = 5001


@pytest.fixture
async def two_lines(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> AsyncIterator[Desk]:
    desk = Desk.with_slack(
        fake_telegram,
        fake_slack,
        database_url,
        SLACK_CHANNEL,
        telegram_operator_chat_id=OPERATOR_CHAT,
    )
    await desk.start()
    await hire("default", "Olga", telegram=OLGA)
    await hire("default", "Petro", telegram=PETRO, status="away")
    await hire("slack", "Sam", slack="U0OLGA")
    yield desk
    await desk.stop()


async def _ivan_writes(desk: Desk, *texts: str) -> None:
    if IVAN not in desk.fake.users:
        desk.fake.add_user(IVAN, "Ivan", language_code="uk")
    for text in texts:
        desk.fake.user_sends(IVAN, text)
        await desk.settle()


async def test_a_transfer_to_the_slack_line_moves_the_conversation_with_its_last_messages(
    two_lines: Desk,
) -> None:
    desk = two_lines
    slack = SlackWorkspace(desk, desk.slack, SLACK_CHANNEL)
    await _ivan_writes(desk, "I ordered a kettle", "It arrived broken", "I want my money back")
    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"

    topic = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(
        OPERATOR_CHAT, OLGA, "/transfer slack last 2 refund, order 1182", thread_id=topic
    )
    await desk.settle()

    thread = slack.thread()
    card, buttons = slack.card(thread)
    assert "Conversation #1" in card and "Sam" in card and buttons == ["Take", "Transfer", "Close"]
    history = "\n".join(slack.texts(thread))
    assert "Transferred from line Default line by Olga. Note: refund, order 1182" in history
    assert "It arrived broken" in history and "I want my money back" in history
    assert "I ordered a kettle" not in history

    old = desk.topic_of("Ivan")
    assert old["name"].startswith("↪️ Ivan #1")
    old_card = [m for m in desk.topic_messages("Ivan") if "Conversation #1" in m.get("text", "")]
    assert not old_card[0].get("reply_markup", {}).get("inline_keyboard")
    assert any(
        "Olga transferred conversation #1 to line Slack" in m.get("text", "")
        for m in desk.topic_messages("Ivan")
    )
    assert "Вашим зверненням далі займатиметься інший фахівець." in [
        m["text"] for m in desk.customer_sees(IVAN)
    ]

    answer = await slack.say(thread, "The refund is on its way")
    await desk.settle()
    assert desk.customer_sees(IVAN)[-1]["text"] == "The refund is on its way"
    assert slack.delivered(answer)

    await _ivan_writes(desk, "Thank you!")
    assert slack.texts(thread)[-1] == "Thank you!"
    assert "Thank you!" not in [m.get("text") for m in desk.topic_messages("Ivan")]

    moves = await AuditEntry.filter(action="line").values_list("old_value", "new_value")
    assert moves == [("default", "slack")]


async def test_a_transfer_to_a_free_colleague_hands_over_with_a_note(two_lines: Desk) -> None:
    desk = two_lines
    await _ivan_writes(desk, "Hello")
    topic = desk.topic_of("Ivan")["message_thread_id"]

    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/transfer @petro", thread_id=topic)
    await desk.settle()
    assert any("Petro is not free (away)" in m.get("text", "") for m in desk.topic_messages("Ivan"))

    await hire("default", "Petro", telegram=PETRO, status="free")
    desk.fake.member_sends(
        OPERATOR_CHAT, OLGA, "/transfer @petro knows the warehouse", thread_id=topic
    )
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Petro"
    texts = [m.get("text", "") for m in desk.topic_messages("Ivan")]
    assert "Olga transferred conversation #1 to Petro. Note: knows the warehouse" in texts


async def test_the_transfer_button_offers_free_colleagues_and_other_lines(two_lines: Desk) -> None:
    desk = two_lines
    await _ivan_writes(desk, "Hello")
    card = [m for m in desk.topic_messages("Ivan") if "reply_markup" in m][0]

    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, "rd:transfer:1")
    await desk.settle()

    choice = [m for m in desk.topic_messages("Ivan") if "reply_markup" in m][-1]
    labels = [b["text"] for row in choice["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["→ line Slack"]  # Petro is away: not offered
    data = choice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    desk.fake.press_button(OPERATOR_CHAT, choice["message_id"], OLGA, data)
    await desk.settle()
    assert desk.topic_of("Ivan")["name"].startswith("↪️")


async def test_in_slack_closing_asks_for_the_topic_with_buttons_too(two_lines: Desk) -> None:
    desk = two_lines
    slack = SlackWorkspace(desk, desk.slack, SLACK_CHANNEL)
    await configure("slack", topics=["Refund", "Delivery"])
    await _ivan_writes(desk, "Money back, please")
    topic = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/transfer slack none", thread_id=topic)
    await desk.settle()
    thread = slack.thread()

    await slack.say(thread, "!close")
    await desk.settle()
    question = desk.slack.messages(SLACK_CHANNEL, thread)[-1]
    values = [
        e["value"] for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert values == ["rd:topic:1:0", "rd:topic:1:1"]

    await desk.slack.press_button(
        slack.url, SLACK_CHANNEL, question["ts"], "U0OLGA", "rd_topic_0_0", "rd:topic:1:0"
    )
    await desk.settle()
    await slack.say(thread, "!result solved")
    await desk.settle()

    card, buttons = slack.card(thread)
    assert buttons == ["Reopen"] and "Refund" in card
