"""The fake Telegram Bot API server's forum topics, through the real aiogram Bot."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ChatMemberAdministrator, ReplyParameters

from tests.fakes.telegram.testing import (
    AGENT,
    GROUP,
    USER,
    bot_fixture,  # noqa: F401 (the "bot" fixture)
    fake_fixture,  # noqa: F401 (the "fake" fixture)
    new_topic,
)
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.asyncio


async def test_send_message_into_topic(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    assert fake.topics(GROUP)[0]["name"] == "Alice Smith"

    sent = await bot.send_message(GROUP, "Ticket opened", message_thread_id=thread)
    assert sent.chat.id == GROUP and sent.chat.is_forum
    assert sent.is_topic_message and sent.message_thread_id == thread
    # Telegram's quirk: a plain topic message "replies" to the topic's service message
    assert sent.reply_to_message and sent.reply_to_message.message_id == thread
    assert sent.reply_to_message.forum_topic_created

    agent = fake.member_sends(GROUP, AGENT, "On it", thread_id=thread)
    reply = await bot.send_message(
        GROUP, "ack", reply_parameters=ReplyParameters(message_id=agent["message_id"])
    )
    assert reply.message_thread_id == thread  # a reply lands in the replied message's topic
    assert reply.reply_to_message and reply.reply_to_message.text == "On it"

    assert [m["text"] for m in fake.bot_messages(GROUP, thread)] == ["Ticket opened", "ack"]
    shown = fake.chat_messages(GROUP, thread, include_service=True)
    assert "forum_topic_created" in shown[0] and len(shown) == 4
    # only the agent's message reached the bot; the service message did not
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["On it"]
    assert updates[0].message and updates[0].message.is_topic_message


async def test_deleted_and_closed_topics(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    await bot.send_message(GROUP, "first", message_thread_id=thread)
    assert await bot.delete_forum_topic(GROUP, thread)
    assert fake.topics(GROUP)[0]["is_deleted"] and fake.chat_messages(GROUP, thread) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(GROUP, "lost", message_thread_id=thread)

    by_hand = await new_topic(bot, "Second")
    fake.delete_topic(GROUP, by_hand)
    photo = fake.user_sends(USER, photo=True)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.copy_message(GROUP, USER, photo["message_id"], message_thread_id=by_hand)
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.reopen_forum_topic(GROUP, by_hand)

    closed = await new_topic(bot, "Third")
    service = fake.close_topic(GROUP, closed)
    assert service["from"]["id"] == AGENT and "forum_topic_closed" in service
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(GROUP, "closed", message_thread_id=closed)
    assert await bot.reopen_forum_topic(GROUP, closed)
    assert (await bot.send_message(GROUP, "open", message_thread_id=closed)).message_id


async def test_forum_topic_management(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    assert await bot.edit_forum_topic(GROUP, thread, name="Alice (VIP)")
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(GROUP, thread, name="Alice (VIP)")
    assert await bot.close_forum_topic(GROUP, thread)
    assert fake.topic(GROUP, "Alice (VIP)") == {
        "message_thread_id": thread,
        "name": "Alice (VIP)",
        "icon_color": 7322096,
        "icon_custom_emoji_id": None,
        "is_closed": True,
        "is_deleted": False,
        "created_by_bot": True,
    }
    services = [
        next(key for key in m if key.startswith("forum_topic_"))
        for m in fake.chat_messages(GROUP, thread, include_service=True)
    ]
    assert services == ["forum_topic_created", "forum_topic_edited", "forum_topic_closed"]

    stickers = await bot.get_forum_topic_icon_stickers()
    assert stickers and all(s.custom_emoji_id for s in stickers)
    member = await bot.get_chat_member(GROUP, fake.bot_id)
    assert isinstance(member, ChatMemberAdministrator) and member.can_manage_topics
    chat = await bot.get_chat(GROUP)
    assert chat.is_forum and chat.title == "Support desk"

    fake.set_bot_member(GROUP, can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await new_topic(bot, "nope")
    fake.add_forum(-1009999, "Plain group", is_forum=False)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-1009999, "nope")
