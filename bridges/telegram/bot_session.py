"""aiogram's HTTP session, closed without a wait where there is nothing to wait for.

`AiohttpSession.close` sleeps 250 ms after closing, so that TLS connections to
api.telegram.org shut down cleanly (aiohttp's advice for graceful shutdown). A Bot API server
reached over plain HTTP (a local `telegram-bot-api`, or the tests' fake) has no TLS
connection to wait for, and a desk with helper bots would wait once per bot.
"""

from __future__ import annotations

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer


class BotSession(AiohttpSession):
    def __init__(self, api_url: str, timeout: float) -> None:
        super().__init__(api=TelegramAPIServer.from_base(api_url), timeout=timeout)
        self._tls = api_url.lower().startswith("https:")

    async def close(self) -> None:
        if self._tls:
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()
