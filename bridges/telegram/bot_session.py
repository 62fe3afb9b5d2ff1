"""aiogram's HTTP session, closed without a wait where there is nothing to wait for, and with
its answers' models built once.

`AiohttpSession.close` sleeps 250 ms after closing, so that TLS connections to
api.telegram.org shut down cleanly (aiohttp's advice for graceful shutdown). A Bot API server
reached over plain HTTP (a local `telegram-bot-api`, or the tests' fake) has no TLS
connection to wait for, and a desk with helper bots would wait once per bot.

aiogram reads every answer with `Response[method.__returning__]`, a pydantic generic model.
pydantic keeps such a class only in a weak cache; nothing else holds it. So each time the
garbage collector takes it, the next call builds the class again: 1 to 4 ms of CPU, a
twentieth of a busy desk's time. So the answer models of every Bot API method are built
once, at import (about 70 ms), before the serving desk sets aside what its start built from
garbage collection (`relaydesk/heap.py`); this session holds any other it meets.
"""

from __future__ import annotations

from typing import Any

import aiogram.methods
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response, TelegramMethod


def _answers_of_every_method() -> set[Any]:
    methods = (getattr(aiogram.methods, name) for name in aiogram.methods.__all__)
    return {
        method.__returning__
        for method in methods
        if isinstance(method, type)
        and issubclass(method, TelegramMethod)
        and not isinstance(getattr(method, "__returning__", property()), property)
    }


# `Response[X]` by X, held so that pydantic's weak cache keeps them.
_ANSWER_MODELS: dict[Any, type[Response[Any]]] = {
    returning: Response[returning]  # type: ignore[valid-type]
    for returning in _answers_of_every_method()
}


class BotSession(AiohttpSession):
    def __init__(self, api_url: str, timeout: float) -> None:
        super().__init__(api=TelegramAPIServer.from_base(api_url), timeout=timeout)
        self._tls = api_url.lower().startswith("https:")

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in _ANSWER_MODELS:
            _ANSWER_MODELS[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)

    async def close(self) -> None:
        if self._tls:
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()
