"""Keeping and reading stored files. A customer's upload is kept before its message is
taken (and forgotten again when the message is not); an operator's file is read once from
its workspace and kept for the links its customer gets."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.base.ports import FileData, Outgoing
from storage.models import Message, StoredFile

ATTACHMENTS = "attachments"  # the key of a message's content that lists its stored files


async def keep(
    file: FileData, *, conversation_id: int | None = None, message_id: int | None = None
) -> StoredFile:
    return await StoredFile.create(
        name=file.name,
        mime=file.mime,
        size=len(file.data),
        sha256=hashlib.sha256(file.data).hexdigest(),
        data=file.data,
        link_key=secrets.token_urlsafe(24),
        conversation_id=conversation_id,
        message_id=message_id,
    )


def listed(file: StoredFile) -> dict[str, Any]:
    """A file as a message's content lists it."""
    return {"id": file.id, "name": file.name, "type": file.mime, "size": file.size}


async def attach(files: Sequence[StoredFile], message_id: int, conversation_id: int) -> None:
    """The files became message `message_id`: they belong to its conversation now."""
    await StoredFile.filter(id__in=[f.id for f in files]).update(
        message_id=message_id, conversation_id=conversation_id
    )


async def forget(files: Sequence[StoredFile]) -> None:
    await StoredFile.filter(id__in=[f.id for f in files]).delete()


async def of_message(message_id: int) -> list[StoredFile]:
    return await StoredFile.filter(message_id=message_id).order_by("id")


async def kept_for(
    outgoing: Outgoing, fetch: Callable[[Outgoing], Awaitable[list[FileData]]]
) -> list[StoredFile]:
    """The files of an operator's message (a Slack text may carry some), read from the
    workspace the first time (a delivery sent again finds them kept)."""
    kept = await of_message(outgoing.message_id)
    if kept:
        return kept
    files = await fetch(outgoing)  # a text (of any workspace) has none, and asks no server
    if not files:
        return []
    message = await Message.get(id=outgoing.message_id)
    conversation_id = message.conversation_id  # type: ignore[attr-defined]
    return [
        await keep(file, conversation_id=conversation_id, message_id=message.id) for file in files
    ]


async def drop_older_than(moment: datetime) -> int:
    return await StoredFile.filter(created_at__lt=moment).delete()


class StoredFiles:
    """The `FileSource` of channels whose files are kept here (web chat, API): a workspace
    uploads the bytes (a Telegram topic, a Slack thread)."""

    async def fetch(self, message: Outgoing) -> list[FileData]:
        ids = [item["id"] for item in message.content.get(ATTACHMENTS) or []]
        rows = await StoredFile.filter(id__in=ids).order_by("id") if ids else []
        return [FileData(row.name, row.mime, bytes(row.data)) for row in rows]
