"""Reading a Telegram message's file, for a workspace that has to upload it (Slack)."""

from __future__ import annotations

from aiogram import Bot

from bot.ports import FileData, Outgoing
from bridges.telegram.convert import file_of
from bridges.telegram.errors import call


class TelegramFiles:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def fetch(self, message: Outgoing) -> list[FileData]:
        found = file_of(message.kind, message.content)
        if found is None:
            return []
        file_id, name, mime = found
        info = await call(self._bot.get_file(file_id), None)
        assert info is not None and info.file_path
        data = await self._bot.download_file(info.file_path)
        assert data is not None
        return [FileData(name, mime, data.read())]
