"""Helper bots (RELAYDESK_TELEGRAM_HELPER_TOKENS) post customers' messages into topics on
budgets of their own; the main bot still receives everything and opens the topics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.base.redact import Redactor
from bot.base.settings import Settings
from bridges.telegram.check import check as check_telegram
from tests.conftest import LIMITED_SPEED
from tests.fakes.desk import OPERATOR_CHAT, TELEGRAM_LIMITS, Desk
from tests.fakes.redis_db import HELPER_PACING, redis_url
from tests.fakes.telegram import FakeTelegram

HELPERS = {
    "700001:HELPER-ONE-TOKEN-abcdefghij": 700001,
    "700002:HELPER-TWO-TOKEN-abcdefghij": 700002,
}
MAIN_BOT = 123456
REDIS_URL = redis_url(HELPER_PACING)  # the pacing windows shared by instances
CUSTOMER = 5101


def add_helpers(fake: FakeTelegram, *, admins: bool = True) -> str:
    """Both helper bots, admins of the operators' group; the setting that names them."""
    for token, bot_id in HELPERS.items():
        fake.add_bot(token, bot_id, f"helper{bot_id}_bot")
        if admins:
            fake.set_helper_member(OPERATOR_CHAT, bot_id)
    return ",".join(HELPERS)


def posted_by(message: dict) -> int:
    return message["from"]["id"]


@pytest.fixture
async def helped_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """A desk whose line's group has both helper bots as admins."""
    desk = await Desk(
        fake_telegram, database_url, telegram_helper_tokens=add_helpers(fake_telegram)
    ).start()
    try:
        yield desk
    finally:
        await desk.stop()


async def open_topic(desk: Desk, user: int, name: str) -> int:
    desk.fake.add_user(user, name)
    desk.fake.user_sends(user, f"{name} says hello")
    await desk.settle()
    return desk.topic_of(name)["message_thread_id"]


@pytest.mark.parametrize("pacing", ["in process", "redis"])
async def test_two_helpers_triple_what_reaches_the_topics_within_one_window(
    limited_telegram, database_url: str, pacing: str
) -> None:
    fake, clock = limited_telegram
    redis = aioredis.from_url(REDIS_URL)
    await redis.flushdb()
    desk = await Desk(
        fake,
        database_url,
        clock=clock,
        telegram_helper_tokens=add_helpers(fake),
        redis_url=REDIS_URL if pacing == "redis" else None,
        **TELEGRAM_LIMITS,
    ).start()
    try:
        customers = {6201 + i: f"Buyer{i}" for i in range(4)}
        for user, name in customers.items():
            await open_topic(desk, user, name)
        # The main bot spent its group budget on the topics: a minute (of the fake's time)
        # later all three bots have a whole window again.
        await asyncio.sleep(63 / LIMITED_SPEED)

        started = clock.monotonic()
        for n in range(15):  # 60 messages: three times what one bot may post in a minute
            for user, name in customers.items():
                fake.user_sends(user, f"{name} {n}")
        await desk.settle(timeout=60)
        took = clock.monotonic() - started

        assert took < 60, f"took {took:.0f} s of Telegram's time"
        assert fake.stats.too_many_requests == 0
        assert fake.retry_after_violations() == []
        posters = []
        for name in customers.values():
            assert desk.topic_texts(name) == [f"{name} says hello"] + [
                f"{name} {n}" for n in range(15)
            ]
            # The first text came with the card; each of the 15 on its own, by some bot.
            relayed = [m for m in desk.topic_messages(name) if "reply_markup" not in m]
            posters += [posted_by(m) for m in relayed]
        assert {bot: posters.count(bot) for bot in (MAIN_BOT, *HELPERS.values())} == {
            MAIN_BOT: 20,
            700001: 20,
            700002: 20,
        }
    finally:
        await desk.stop()
        await redis.flushdb()
        await redis.aclose()


async def test_an_operator_reply_to_a_helpers_message_reaches_the_customer(
    helped_desk: Desk, fake_telegram: FakeTelegram
) -> None:
    desk = helped_desk
    thread = await open_topic(desk, CUSTOMER, "Ivan")
    asked = fake_telegram.user_sends(CUSTOMER, "Where is my parcel?")
    await desk.settle()
    copy_in_topic = desk.topic_messages("Ivan")[-1]
    assert posted_by(copy_in_topic) in HELPERS.values()

    fake_telegram.member_sends(
        OPERATOR_CHAT,
        1001,
        "On its way",
        thread_id=thread,
        reply_to=copy_in_topic["message_id"],
    )
    await desk.settle()

    answer = desk.customer_sees(CUSTOMER)[-1]
    assert answer["text"] == "On its way"
    assert answer["reply_to_message"]["message_id"] == asked["message_id"]


async def test_a_customers_edit_of_a_message_a_helper_posted_is_made_by_that_helper(
    helped_desk: Desk, fake_telegram: FakeTelegram
) -> None:
    desk = helped_desk
    await open_topic(desk, CUSTOMER, "Ivan")
    sent = fake_telegram.user_sends(CUSTOMER, "My order 1234 is late")
    await desk.settle()
    fake_telegram.user_edits(CUSTOMER, sent["message_id"], "My order 1235 is late")
    await desk.settle()

    copy_in_topic = desk.topic_messages("Ivan")[-1]
    assert posted_by(copy_in_topic) in HELPERS.values()
    assert copy_in_topic["text"] == "My order 1235 is late"
    assert "edit_date" in copy_in_topic


async def test_a_photo_goes_via_a_helper_uploaded_again(
    helped_desk: Desk, fake_telegram: FakeTelegram
) -> None:
    desk = helped_desk
    await open_topic(desk, CUSTOMER, "Ivan")
    fake_telegram.user_sends(CUSTOMER, kind="photo", caption="the broken box")
    await desk.settle()

    copy_in_topic = desk.topic_messages("Ivan")[-1]
    assert posted_by(copy_in_topic) in HELPERS.values()
    assert "photo" in copy_in_topic and copy_in_topic["caption"] == "the broken box"
    # A helper cannot reach the customer's chat with the main bot (the fake refuses it
    # that chat): it uploaded the file the main bot downloaded.
    assert fake_telegram.calls_to("sendPhoto")


async def test_a_helper_that_is_not_an_admin_posts_nothing_and_check_says_so(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    tokens = add_helpers(fake_telegram, admins=False)
    fake_telegram.set_helper_member(OPERATOR_CHAT, 700001)
    fake_telegram.set_helper_member(OPERATOR_CHAT, 700002, status="member")
    settings = Settings(
        _env_file=None,
        telegram_token=fake_telegram.token,
        telegram_api_url=fake_telegram.base_url,
        telegram_operator_chat_id=OPERATOR_CHAT,
        telegram_helper_tokens=tokens + ",999:NOT-A-BOT-TOKEN-abcdefghij",
    )

    said = await check_telegram(settings)

    helpers = [(ok, text) for ok, text in said if text.startswith("Helper bot") or "helper" in text]
    assert helpers == [
        (True, "Helper bot 1 works: it is @helper700001_bot (id 700001)."),
        (
            True,
            'Helper bot @helper700001_bot is an admin of "Support" and posts customers\' messages.',
        ),
        (True, "Helper bot 2 works: it is @helper700002_bot (id 700002)."),
        (
            False,
            'Helper bot @helper700002_bot is only a member of "Support" and posts nothing '
            "there: make it an admin with the right to manage topics.",
        ),
        (
            False,
            "Telegram refused helper bot 3 of RELAYDESK_TELEGRAM_HELPER_TOKENS (Unauthorized): "
            "copy its token from @BotFather again, or remove it.",
        ),
    ]
    assert all("NOT-A-BOT" not in text for _, text in said)

    desk = await Desk(fake_telegram, database_url, telegram_helper_tokens=tokens).start()
    try:
        await open_topic(desk, CUSTOMER, "Ivan")
        for n in range(4):
            fake_telegram.user_sends(CUSTOMER, f"message {n}")
        await desk.settle()
        posters = {posted_by(m) for m in desk.topic_messages("Ivan") if "reply_markup" not in m}
        assert 700002 not in posters and 700001 in posters
    finally:
        await desk.stop()


async def test_a_voice_message_and_an_edited_caption_go_via_a_helper(
    helped_desk: Desk, fake_telegram: FakeTelegram
) -> None:
    desk = helped_desk
    await open_topic(desk, CUSTOMER, "Ivan")
    fake_telegram.user_sends(CUSTOMER, kind="voice")
    photo = fake_telegram.user_sends(CUSTOMER, kind="photo", caption="the box")
    await desk.settle()
    fake_telegram.user_edits(CUSTOMER, photo["message_id"], "the broken box")
    await desk.settle()

    voice, edited = desk.topic_messages("Ivan")[-2:]
    assert "voice" in voice and posted_by(voice) in HELPERS.values()
    assert "photo" in edited and edited["caption"] == "the broken box"
    assert posted_by(edited) in HELPERS.values()


async def test_helpers_removed_from_the_group_leave_their_messages_to_the_main_bot(
    helped_desk: Desk, fake_telegram: FakeTelegram
) -> None:
    desk = helped_desk
    await open_topic(desk, CUSTOMER, "Ivan")
    for bot_id in HELPERS.values():  # an admin tidies the group up while the desk runs
        fake_telegram.set_helper_member(OPERATOR_CHAT, bot_id, status="left")
    fake_telegram.user_sends(CUSTOMER, "Are you there?")
    await desk.settle(timeout=30)

    copy_in_topic = desk.topic_messages("Ivan")[-1]
    assert copy_in_topic["text"] == "Are you there?" and posted_by(copy_in_topic) == MAIN_BOT


async def test_helper_tokens_stay_out_of_the_log_when_a_helpers_send_fails(
    fake_telegram: FakeTelegram, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = add_helpers(fake_telegram)
    assert (
        Redactor.of_settings(Settings(_env_file=None, telegram_helper_tokens=tokens)).redact(
            f"POST /bot{tokens}/sendMessage"
        )
        == "POST /bot***,***/sendMessage"
    )
    desk = await Desk(fake_telegram, database_url, telegram_helper_tokens=tokens).start()
    try:
        await open_topic(desk, CUSTOMER, "Ivan")
        fake_telegram.fail_next("sendMessage", network=True)
        fake_telegram.user_sends(CUSTOMER, "Still there?")
        await desk.settle(timeout=30)

        assert desk.topic_messages("Ivan")[-1]["text"] == "Still there?"
        assert "failed" in caplog.text  # the dropped connection was retried, and said
        for token in HELPERS:
            assert token not in caplog.text
    finally:
        await desk.stop()
