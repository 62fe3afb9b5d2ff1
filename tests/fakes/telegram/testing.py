"""Shared setup for the fake Telegram's own tests (tests/test_fake_telegram_*.py): the
people and forum they use, the ``fake`` and ``bot`` fixtures and small helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from .server import FakeTelegram

USER = 111
AGENT = 222
GROUP = -1001234567890
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Close", callback_data="close")]]
)


def populate(fake: FakeTelegram) -> None:
    fake.add_user(USER, "Alice", last_name="Smith", username="alice")
    fake.add_user(AGENT, "Bob", username="agent_bob")
    fake.add_forum(GROUP, "Support desk", members={AGENT: "administrator"})


@pytest_asyncio.fixture(name="fake")
async def fake_fixture() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    populate(fake)
    await fake.start()
    yield fake
    await fake.close()
    assert fake.crashes == []


@pytest_asyncio.fixture(name="bot")
async def bot_fixture(fake: FakeTelegram) -> AsyncIterator[Bot]:
    api = TelegramAPIServer.from_base(fake.base_url)
    bot = Bot(fake.token, session=AiohttpSession(api=api))
    yield bot
    await bot.session.close()


def stored(fake: FakeTelegram, chat_id: int, message_id: int) -> dict[str, Any]:
    message = fake.message(chat_id, message_id)
    assert message is not None, f"message {message_id} is not in chat {chat_id}"
    return message


async def new_topic(bot: Bot, name: str = "Alice Smith") -> int:
    topic = await bot.create_forum_topic(GROUP, name)
    return topic.message_thread_id
