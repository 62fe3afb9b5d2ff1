"""Messages on their way out: what a sender is given for each (the links of the copies it
made are stored with the send's outcome, `bot.outbox.completions`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.base.ports import Outgoing
from bot.conversations.message_links import arrived_as, counterpart
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
    *,
    arrived_in: str | None = None,
    origins_read: Mapping[int, Origin] | None = None,
) -> tuple[list[Message], list[str]]:
    """Send the messages of `deliveries` (read already: `messages`); they and the external
    ids of their copies. `arrived_in`: the chat the messages were most likely stored from
    (an operator's answers: the line's chat), whose ids their source keys tell;
    `origins_read`: where messages were first seen, read already (`origins_of`)."""
    if messages is None:
        messages = await messages_of(deliveries)
    origins = await _origins(messages, arrived_in, origins_read or {})
    result = await sender.relay(target, [await outgoing(m, chat_key, origins) for m in messages])
    return messages, result.external_ids


async def edit(sender: Any, target: Any, head: Delivery, chat_key: str) -> None:
    """Edit the copy on this side; a message never delivered here has nothing to edit."""
    message = await get_by_id(Message, head.message_id)  # type: ignore[attr-defined]
    external_id = await counterpart(message.id, chat_key)
    if external_id:
        await sender.edit(target, external_id, await outgoing(message, chat_key))


async def messages_of(deliveries: list[Delivery]) -> list[Message]:
    """The messages of `deliveries`, in their order; not read again when they were read with
    them (a queued run of texts, `merging.queued_run`)."""
    # Asking an unread relation builds a query object: the head alone tells.
    if isinstance(deliveries[0].message, Message):
        read = [d.message for d in deliveries]
        if all(isinstance(m, Message) for m in read):
            return read  # type: ignore[return-value]
    ids = [d.message_id for d in deliveries]  # type: ignore[attr-defined]
    by_id = {m.id: m for m in await filter_by_ids(Message, ids)}
    return [by_id[i] for i in ids]


Origin = tuple[str, str]  # the chat where a message was first seen, and its id there


async def origins_of(message_ids: list[int]) -> dict[int, Origin]:
    """Where each of these messages was first seen: its oldest link, all read in one
    statement."""
    origins: dict[int, Origin] = {}
    for link in await _LINKS_OF(message_ids):  # the oldest is last
        origins[link.message_id] = (link.chat, link.external_id)  # type: ignore[attr-defined]
    return origins


async def _origins(
    messages: list[Message],
    arrived_in: str | None = None,
    origins_read: Mapping[int, Origin] | None = None,
) -> dict[int, Origin]:
    """Where each message was first seen: for one stored from `arrived_in`, read off its
    source key (its first link is that one); else as read already, or its oldest link."""
    origins: dict[int, Origin] = {}
    unknown = []
    for message in messages:
        external_id = arrived_as(message, arrived_in) if arrived_in else None
        if external_id is not None:
            origins[message.id] = (arrived_in, external_id)  # type: ignore[assignment]
        elif origins_read and message.id in origins_read:
            origins[message.id] = origins_read[message.id]
        else:
            unknown.append(message.id)
    if unknown:
        origins |= await origins_of(unknown)
    return origins


async def outgoing(
    message: Message, target_chat_key: str, origins: dict[int, Origin] | None = None
) -> Outgoing:
    """`message` as a sender takes it: where its original is, and what it answers there.
    `origins` are the messages' oldest links when the caller read them already."""
    if origins is None:
        origins = await _origins([message])
    source_chat_key, source_external_id = origins.get(message.id, (None, None))
    reply_to = (
        await counterpart(message.reply_to_id, target_chat_key) if message.reply_to_id else None
    )  # type: ignore[attr-defined]
    return Outgoing(
        message_id=message.id,
        kind=message.kind,
        text=message.text,
        content=message.content,
        source_chat_key=source_chat_key,
        source_external_id=source_external_id,
        reply_to_external_id=reply_to,
    )
