"""Reading the files of a Slack message (url_private needs the bot token)."""

from __future__ import annotations

import aiohttp

from bot.base.ports import FileData, Outgoing, TransientError
from bot.base.redact import Redactor


class SlackFiles:
    def __init__(self, token: str, redactor: Redactor) -> None:
        self._token = token
        self._redactor = redactor

    async def fetch(self, message: Outgoing) -> list[FileData]:
        try:
            return await self._fetch(message)
        except (aiohttp.ClientError, TimeoutError) as error:
            # The request carried the bot token in a header: say only redacted words.
            words = self._redactor.describe(error)
            raise TransientError(f"Slack file download failed: {words}") from None

    async def _fetch(self, message: Outgoing) -> list[FileData]:
        found: list[FileData] = []
        headers = {"Authorization": f"Bearer {self._token}"}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            for item in message.content.get("files") or []:
                url = item.get("url_private_download") or item.get("url_private")
                if not url:
                    continue
                async with http.get(url, headers=headers) as response:
                    if response.status != 200:
                        raise TransientError(f"Slack file {item.get('id')}: HTTP {response.status}")
                    found.append(
                        FileData(
                            item.get("name") or "file",
                            item.get("mimetype") or "application/octet-stream",
                            await response.read(),
                        )
                    )
        return found
