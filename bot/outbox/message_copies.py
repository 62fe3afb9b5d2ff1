"""Messages on their way out: what a sender is given for each, and what is stored of the
copies it made (their links)."""

from __future__ import annotations

from typing import Any

from bot.base.ports import Outgoing
from bot.conversations.message_links import counterpart, link_copies
from storage.models import Delivery, Message, MessageLink
from storage.prepared import Prepared, filter_by_ids, get_by_id

_LINKS_OF: Prepared[list[MessageLink]] = Prepared(
    MessageLink,
    lambda message_ids: MessageLink.filter(message_id__in=message_ids).order_by("-id"),
)


async def relay(
    sender: Any,
    target: Any,
    deliveries: list[Delivery],
    chat_key: str,
    messages: list[Message] | None = None,
) -> tuple[list[Message], list[str]]:
    """Send the messages of `deliveries` (read already: `messages`); they and the external
    ids of their copies."""
    if messages is None:
        messages = await messages_of(deliveries)
    origins = await _origins([m.id for m in messages])
    result = await sender.relay(target, [await outgoing(m, chat_key, origins) for m in messages])
    return messages, result.external_ids


async def edit(sender: Any, target: Any, head: Delivery, chat_key: str) -> None:
    """Edit the copy on this side; a message never delivered here has nothing to edit."""
    message = await get_by_id(Message, head.message_id)  # type: ignore[attr-defined]
    external_id = await counterpart(message.id, chat_key)
    if external_id:
        await sender.edit(target, external_id, await outgoing(message, chat_key))


async def messages_of(deliveries: list[Delivery]) -> list[Message]:
    ids = [d.message_id for d in deliveries]  # type: ignore[attr-defined]
    by_id = {m.id: m for m in await filter_by_ids(Message, ids)}
    return [by_id[i] for i in ids]


async def _origins(message_ids: list[int]) -> dict[int, MessageLink]:
    """Where each message was first seen: its oldest link, all read in one statement."""
    origins: dict[int, MessageLink] = {}
    for link in await _LINKS_OF(message_ids):
        origins[link.message_id] = link  # type: ignore[attr-defined]  # the oldest is last
    return origins


async def outgoing(
    message: Message, target_chat_key: str, origins: dict[int, MessageLink] | None = None
) -> Outgoing:
    """`message` as a sender takes it: where its original is, and what it answers there.
    `origins` are the messages' oldest links when the caller read them already."""
    if origins is None:
        origins = await _origins([message.id])
    origin = origins.get(message.id)
    reply_to = (
        await counterpart(message.reply_to_id, target_chat_key) if message.reply_to_id else None
    )  # type: ignore[attr-defined]
    return Outgoing(
        message_id=message.id,
        kind=message.kind,
        text=message.text,
        content=message.content,
        source_chat_key=origin.chat if origin else None,
        source_external_id=origin.external_id if origin else None,
        reply_to_external_id=reply_to,
    )


async def link(messages: list[Message], chat_key: str, external_ids: list[str]) -> None:
    """Store which copy in `chat_key` each message became."""
    await link_copies(chat_key, zip(messages, external_ids, strict=False))
