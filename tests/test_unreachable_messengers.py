"""A workspace or customer channel that cannot be reached does not take the others down:
the desk starts and serves, `/healthz` names what is down and why, the log says what to
check, and the missing one comes up by itself when it answers again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from storage.models import Delivery, DeliveryStatus
from tests.conftest import SLACK_CHANNEL, SLACK_OPERATORS
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, Desk
from tests.fakes.outage import ErrorPages, Silence, come_back, go_away, nobody_listens
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waiting import eventually, health

IVAN = 5001
QUICK_RETRIES = {"reconnect_first_seconds": 0.05, "reconnect_max_seconds": 0.3}


def slack_on(port: int) -> FakeSlack:
    fake = FakeSlack(port=port)
    for user_id, name in SLACK_OPERATORS.items():
        fake.add_user(user_id, name, real_name=name.title())
    fake.add_channel(SLACK_CHANNEL, "support", members=list(SLACK_OPERATORS))
    return fake


def telegram_on(port: int) -> FakeTelegram:
    fake = FakeTelegram(port=port)
    fake.add_forum(OPERATOR_CHAT, "Support", members={uid: "member" for uid in OPERATORS})
    return fake


@pytest.fixture
async def later_slack() -> AsyncIterator[tuple[FakeSlack, str]]:
    """A Slack that is not there yet: its URL refuses connections until `start()`."""
    port, url = nobody_listens()
    fake = slack_on(port)
    yield fake, url
    if fake._runner is not None:
        await fake.close()


async def test_with_slack_down_the_desk_serves_telegram_and_slack_comes_up_by_itself(
    fake_telegram: FakeTelegram, later_slack: tuple[FakeSlack, str], database_url: str, caplog
) -> None:
    slack, url = later_slack
    desk = Desk.with_slack(
        fake_telegram,
        slack,
        database_url,
        SLACK_CHANNEL,
        slack_api_url=url,
        telegram_operator_chat_id=OPERATOR_CHAT,  # the default line in the forum, `slack` too
        **QUICK_RETRIES,
    )
    caplog.set_level(logging.INFO)
    await desk.start()
    try:
        fake_telegram.add_user(IVAN, "Ivan")
        fake_telegram.user_sends(IVAN, "Hello, is anyone there?")
        await desk.settle()
        assert "Hello, is anyone there?" in desk.topic_texts("Ivan")

        status, body = await health(desk.url)
        assert status == 200 and body["ok"] is False
        assert body["components"]["telegram"] == "up"
        assert body["components"]["slack"].startswith(f"down: Could not reach Slack at {url}")
        assert "Check RELAYDESK_SLACK_API_URL and the network" in caplog.text

        await slack.start()
        await eventually(lambda: _all_up(desk), within=10)
        assert "Slack is back up" in caplog.text
    finally:
        await desk.stop()


async def _all_up(desk: Desk) -> bool:
    return (await health(desk.url))[1]["ok"] is True


async def test_a_customer_of_a_slack_line_waits_in_the_outbox_while_slack_is_down(
    fake_telegram: FakeTelegram, later_slack: tuple[FakeSlack, str], database_url: str
) -> None:
    slack, url = later_slack
    desk = Desk.with_slack(
        fake_telegram, slack, database_url, SLACK_CHANNEL, slack_api_url=url, **QUICK_RETRIES
    )
    await desk.start()
    try:
        fake_telegram.add_user(IVAN, "Ivan")
        fake_telegram.user_sends(IVAN, "My parcel is late")
        await eventually(lambda: Delivery.filter(status=DeliveryStatus.PENDING).exists())
        await eventually(lambda: not fake_telegram.pending_updates())
        assert not await Delivery.filter(status=DeliveryStatus.DEAD).exists()

        await slack.start()
        await eventually(lambda: _thread_says(slack, "My parcel is late"), within=15)
        assert not await Delivery.filter(status=DeliveryStatus.DEAD).exists()
    finally:
        await desk.stop()


def _thread_says(slack: FakeSlack, text: str) -> bool:
    return any(
        text in (reply.get("text") or "")
        for parent in slack.messages(SLACK_CHANNEL)
        for reply in slack.messages(SLACK_CHANNEL, parent["ts"])
    )


async def test_with_telegram_down_at_start_it_comes_up_by_itself_and_serves(
    database_url: str, caplog
) -> None:
    port, url = nobody_listens()
    telegram = telegram_on(port)
    desk = Desk(telegram, database_url, telegram_api_url=url, **QUICK_RETRIES)
    caplog.set_level(logging.INFO)
    await desk.start()
    try:
        status, body = await health(desk.url)
        assert status == 200 and body["ok"] is False
        assert body["components"]["telegram"].startswith(
            f"down: Could not reach the Bot API at {url}"
        )
        assert "refused" not in caplog.text  # a network error is not a refused token

        await telegram.start()
        await eventually(lambda: _all_up(desk), within=10)
        telegram.add_user(IVAN, "Ivan")
        telegram.user_sends(IVAN, "Hello")
        await desk.settle()
        assert "Hello" in desk.topic_texts("Ivan")
    finally:
        await desk.stop()
        await telegram.close()


async def test_slack_going_away_while_running_is_reported_and_nothing_is_lost(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> None:
    desk = Desk.with_slack(fake_telegram, fake_slack, database_url, SLACK_CHANNEL, **QUICK_RETRIES)
    await desk.start()
    try:
        await eventually(lambda: _all_up(desk))
        await go_away(fake_slack)
        await eventually(lambda: _slack_is_down(desk))

        fake_telegram.add_user(IVAN, "Ivan")
        fake_telegram.user_sends(IVAN, "Are you there?")
        await eventually(lambda: Delivery.filter(status=DeliveryStatus.PENDING).exists())

        await come_back(fake_slack)
        await eventually(lambda: _thread_says(fake_slack, "Are you there?"), within=15)
        await eventually(lambda: _all_up(desk))
        assert not await Delivery.filter(status=DeliveryStatus.DEAD).exists()
    finally:
        await desk.stop()


async def test_telegram_going_away_while_running_is_reported_and_polling_resumes(
    fake_telegram: FakeTelegram, database_url: str, caplog
) -> None:
    desk = await Desk(fake_telegram, database_url, **QUICK_RETRIES).start()
    try:
        await eventually(lambda: _all_up(desk))
        await go_away(fake_telegram)
        await eventually(lambda: _telegram_is_down(desk))
        assert "Telegram is down: getUpdates failed: Could not reach the Bot API" in caplog.text

        await come_back(fake_telegram)
        await eventually(lambda: _all_up(desk))
        fake_telegram.add_user(IVAN, "Ivan")
        fake_telegram.user_sends(IVAN, "Back again?")
        await desk.settle()
        assert "Back again?" in desk.topic_texts("Ivan")
    finally:
        await desk.stop()


async def _telegram_is_down(desk: Desk) -> bool:
    return (await health(desk.url))[1]["components"]["telegram"].startswith("down: ")


async def _slack_is_down(desk: Desk) -> bool:
    return (await health(desk.url))[1]["components"]["slack"].startswith("down: ")


async def test_the_log_tells_a_proxy_page_from_a_refused_token_from_the_network(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str, caplog
) -> None:
    pages = ErrorPages()
    await pages.start()
    desk = Desk.with_slack(
        fake_telegram,
        fake_slack,
        database_url,
        SLACK_CHANNEL,
        slack_api_url=pages.base_url,
        **QUICK_RETRIES,
    )
    try:
        await desk.start()
        await eventually(lambda: "Slack is down" in caplog.text)
        assert f"The answer from {pages.base_url} is not Slack's (HTTP 404" in caplog.text
        assert "refused" not in caplog.text
        await desk.stop()
        caplog.clear()

        desk.settings.slack_api_url = fake_slack.base_url
        desk.settings.slack_bot_token = SecretStr("xoxb-revoked")
        await desk.start()
        await eventually(lambda: "Slack is down" in caplog.text)
        assert "Slack refused RELAYDESK_SLACK_BOT_TOKEN (invalid_auth)" in caplog.text
        assert "the network is fine, the token is not" in caplog.text
        assert "xoxb-revoked" not in caplog.text
        status, body = await health(desk.url)
        assert body["components"]["slack"].startswith("down: Slack refused")
        assert body["components"]["telegram"] == "up"
    finally:
        await desk.stop()
        await pages.close()


async def test_a_slack_that_never_answers_does_not_hold_the_start_up(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> None:
    silence = Silence()
    await silence.start()
    desk = Desk.with_slack(
        fake_telegram,
        fake_slack,
        database_url,
        SLACK_CHANNEL,
        slack_api_url=silence.base_url,
        telegram_operator_chat_id=OPERATOR_CHAT,
    )
    try:
        # slack_sdk waits 30 s for an answer; the start waits at most 5 s for a first one.
        # (In this task, not a wait_for's own: the database context lives in its task.)
        async with asyncio.timeout(25):
            await desk.start()
        status, body = await health(desk.url)
        assert status == 200 and body["ok"] is False
        components = body["components"]
        assert (components["slack"], components["telegram"]) == ("starting", "up")
    finally:
        await desk.stop()
        await silence.close()
