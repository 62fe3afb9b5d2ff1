"""The fake Telegram serves several bots by token, each as Telegram treats another bot: its
own identity and flood limits, no access to the main bot's private chats, and no right to
edit another bot's messages."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter

from tests.fakes.telegram.testing import (
    GROUP,
    USER,
    bot_fixture,  # noqa: F401 (the "bot" fixture)
    fake_fixture,  # noqa: F401 (the "fake" fixture)
    new_topic,
)
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.asyncio

HELPER_TOKEN = "700001:HELPER-TOKEN-abcdefghijklmn"


async def test_a_helper_bot_posts_in_the_group_but_sees_no_private_chat(
    fake: FakeTelegram, bot
) -> None:
    fake.add_bot(HELPER_TOKEN, 700001, "helper_bot")
    helper = fake.make_bot(HELPER_TOKEN)
    try:
        assert (await helper.get_me()).username == "helper_bot"
        thread = await new_topic(bot)
        with pytest.raises(TelegramForbiddenError):  # not in the group yet
            await helper.send_message(GROUP, "hi", message_thread_id=thread)
        fake.set_helper_member(GROUP, 700001)
        posted = await helper.send_message(GROUP, "hi", message_thread_id=thread)
        assert posted.from_user.id == 700001
        assert (await bot.get_chat_member(GROUP, 700001)).status == "administrator"

        sent = fake.user_sends(USER, "hello")
        with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
            await helper.copy_message(GROUP, USER, sent["message_id"], message_thread_id=thread)
        by_main = await bot.send_message(GROUP, "card", message_thread_id=thread)
        with pytest.raises(TelegramBadRequest, match="message can't be edited"):
            await helper.edit_message_text("edited", chat_id=GROUP, message_id=by_main.message_id)
        await helper.edit_message_text("edited", chat_id=GROUP, message_id=posted.message_id)
    finally:
        await helper.session.close()


async def test_each_bot_has_its_own_group_budget() -> None:
    fake = FakeTelegram(limits=True, group_per_minute=2)
    await fake.start()
    fake.add_forum(GROUP, "Support desk")
    fake.add_bot(HELPER_TOKEN, 700001, "helper_bot")
    fake.set_helper_member(GROUP, 700001)
    main, helper = fake.make_bot(), fake.make_bot(HELPER_TOKEN)
    try:
        for sender in (main, helper):
            await sender.send_message(GROUP, "one")
            await sender.send_message(GROUP, "two")
        for sender in (main, helper):
            with pytest.raises(TelegramRetryAfter):
                await sender.send_message(GROUP, "three")
    finally:
        await main.session.close()
        await helper.session.close()
        await fake.close()
