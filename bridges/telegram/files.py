"""Reading a Telegram message's file, for a workspace that has to upload it (Slack)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiohttp import ClientError

from bot.base.ports import FileData, Outgoing, TransientError
from bot.base.redact import Redactor
from bridges.telegram.convert import file_of
from bridges.telegram.errors import call


class TelegramFiles:
    def __init__(self, bot: Bot, redactor: Redactor) -> None:
        self._bot = bot
        self._redactor = redactor

    async def fetch(self, message: Outgoing) -> list[FileData]:
        found = file_of(message.kind, message.content)
        if found is None:
            return []
        file_id, name, mime = found
        info = await call(self._bot.get_file(file_id), None, self._redactor)
        assert info is not None and info.file_path
        try:
            data = await self._bot.download_file(info.file_path)
        except (ClientError, TelegramAPIError, TimeoutError) as error:
            # The file URL carries the bot token, and aiohttp's errors quote the URL; the
            # original error is dropped (`from None`) so no traceback can show it either.
            words = self._redactor.describe(error)
            raise TransientError(f"file download failed: {words}") from None
        assert data is not None
        return [FileData(name, mime, data.read())]
