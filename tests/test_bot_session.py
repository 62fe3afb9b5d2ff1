"""The Telegram bridge's HTTP session reads every answer with a model it builds once: pydantic
keeps aiogram's `Response[...]` classes only weakly, and building one again after the garbage
collector took it costs milliseconds of the desk's CPU per call."""

from __future__ import annotations

import gc
import weakref

from aiogram import Bot
from aiogram.methods.base import Response
from aiogram.types import Message

from bridges.telegram.bot_session import BotSession
from tests.fakes.desk import OPERATOR_CHAT
from tests.fakes.telegram import FakeTelegram


async def test_the_model_of_an_answer_outlives_the_garbage_collector(
    fake_telegram: FakeTelegram,
) -> None:
    bot = Bot(fake_telegram.token, session=BotSession(fake_telegram.base_url, 10))
    try:
        await bot.send_message(OPERATOR_CHAT, "Hello")
        model = weakref.ref(Response[Message])
        gc.collect()

        assert model() is not None
        assert (await bot.send_message(OPERATOR_CHAT, "Again")).text == "Again"
        assert Response[Message] is model()
    finally:
        await bot.session.close()
