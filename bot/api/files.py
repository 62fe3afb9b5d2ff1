"""Files of API messages as the API shows them (`attachments`): name, type, size and a
signed link that expires after RELAYDESK_FILE_LINK_HOURS, made for the one contact whose
conversation holds the file. With RELAYDESK_PUBLIC_URL the link is absolute (a webhook's
receiver can follow it); without, it is the path on the desk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bot.attachments.links import file_url
from storage.models import StoredFile

FILE_PATH = "/api/v1/files"


@dataclass(frozen=True)
class FileLinks:
    hours: float
    public_url: str | None = None

    def shape(self, file: StoredFile, audience: str) -> dict[str, Any]:
        base = (self.public_url or "").rstrip("/") + FILE_PATH
        return {
            "name": file.name,
            "type": file.mime,
            "size": file.size,
            "url": file_url(base, file.id, file.link_key, audience, self.hours),
        }

    async def of_messages(self, message_ids: list[int], audience: str) -> dict[int, list[Any]]:
        """Each message's attachments, read in one statement."""
        found: dict[int, list[Any]] = defaultdict(list)
        if not message_ids:
            return found
        for file in await StoredFile.filter(message_id__in=message_ids).order_by("id"):
            found[file.message_id].append(self.shape(file, audience))  # type: ignore[attr-defined]
        return found
