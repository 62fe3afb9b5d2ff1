"""Chat keys of message links: which side, which chat, so ids never collide across sides."""

from __future__ import annotations

from datetime import datetime

from bot.base.events import MessageBody
from storage.models import Message, MessageLink


def customer_chat_key(entry_point_key: str, chat: str) -> str:
    return f"{entry_point_key}:{chat}"


def workspace_chat_key(workspace_kind: str, chat: str) -> str:
    return f"ws:{workspace_kind}:{chat}"


async def find_link(chat_key: str, external_id: str) -> MessageLink | None:
    return await MessageLink.get_or_none(chat=chat_key, external_id=external_id)


async def counterpart(message_id: int, chat_key: str) -> str | None:
    """The external id of the copy of `message_id` in `chat_key`, if it was delivered."""
    link = await MessageLink.filter(message_id=message_id, chat=chat_key).order_by("id").first()
    return link.external_id if link else None


async def apply_edit(link: MessageLink, body: MessageBody, when: datetime) -> Message:
    """Store the new text of the message behind `link` (either side's original)."""
    message = await Message.get(id=link.message_id)  # type: ignore[attr-defined]
    message.text = body.text
    message.content = body.content
    message.edited_at = when
    await message.save(update_fields=["text", "content", "edited_at"])
    return message
