"""Files crossing from one messenger to another: each side registers how to read its own."""

from __future__ import annotations

import logging

from bot.base.i18n import _
from bot.base.ports import FileData, FileSource, Outgoing, PermanentError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024  # Telegram's upload ceiling for bots


class Files:
    def __init__(self) -> None:
        self._sources: dict[str, FileSource] = {}

    def register(self, origin: str, source: FileSource) -> None:
        """`origin`: the chat-key prefix of the messages it reads ("ws:slack", an entry point)."""
        self._sources[origin] = source

    async def fetch(self, message: Outgoing) -> list[FileData]:
        key = message.source_chat_key or ""
        for origin, source in self._sources.items():
            if key.startswith(origin + ":"):
                files = await source.fetch(message)
                if any(len(f.data) > MAX_FILE_BYTES for f in files):
                    raise PermanentError(_("the file is too large to pass on"))
                return files
        return []
