"""Which message is which on each side: chat keys (so ids never collide across sides), the
one writer of messages that arrive from a chat and of their links, and the readers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bot.base.events import InboundMessage, MessageBody
from storage.models import Conversation, Direction, Message, MessageLink, Operator
from storage.prepared import Prepared, get_by_id


def customer_chat_key(entry_point_key: str, chat: str) -> str:
    return f"{entry_point_key}:{chat}"


def workspace_chat_key(workspace_kind: str, chat: str) -> str:
    return f"ws:{workspace_kind}:{chat}"


def source_key_in(chat_key: str, external_id: str) -> str:
    """The source key of a message stored as it arrived in a workspace chat: a repeat of the
    same update is refused by it."""
    return f"{chat_key}:{external_id}"


def arrived_as(message: Message, chat_key: str) -> str | None:
    """The id `message` had in `chat_key` when it was stored from there, read off its source
    key (the same as its first link there); None for a message that came from elsewhere."""
    prefix = source_key_in(chat_key, "")
    key = message.source_key
    return key[len(prefix) :] if key and key.startswith(prefix) else None


class Arrival(Protocol):
    """A message as it arrived from a chat: an `InboundMessage` or a `WorkspaceMessage`."""

    @property
    def external_id(self) -> str: ...
    @property
    def body(self) -> MessageBody: ...
    @property
    def album_key(self) -> str | None: ...
    @property
    def reply_to_external_id(self) -> str | None: ...


async def record_message(
    conversation: Conversation,
    arrival: Arrival,
    *,
    direction: Direction,
    text: str | None,
    chat_key: str,
    source_key: str,
    author: Operator | None = None,
) -> Message:
    """Store `arrival`, which came in `chat_key`, with its link to that original; a reply
    points at the message its original answers, when that one is known here. `text` is
    what is kept (a note without its prefix); the rest comes from the arrival."""
    message = await _message_row(
        conversation, arrival, direction, text, chat_key, source_key, author
    )
    await message.save()
    await MessageLink.create(message=message, chat=chat_key, external_id=arrival.external_id)
    return message


async def _message_row(
    conversation: Conversation,
    arrival: Arrival,
    direction: Direction,
    text: str | None,
    chat_key: str,
    source_key: str,
    author: Operator | None = None,
) -> Message:
    """`arrival` as a message not saved yet; a reply points at the message its original
    answers, when that one is known here."""
    reply_to = None
    if arrival.reply_to_external_id:
        link = await find_link(chat_key, arrival.reply_to_external_id)
        reply_to = link.message_id if link else None  # type: ignore[attr-defined]
    return Message(
        conversation=conversation,
        direction=direction,
        author_operator=author,
        kind=arrival.body.kind,
        text=text,
        content=arrival.body.content,
        source_key=source_key,
        album_key=arrival.album_key,
        reply_to_id=reply_to,
    )


async def record_from_customer(conversation: Conversation, inbound: InboundMessage) -> Message:
    """A customer's message as it came in, with its link to the original in their chat."""
    return await record_message(
        conversation,
        inbound,
        direction=Direction.IN,
        text=inbound.body.text,
        chat_key=customer_chat_key(inbound.entry_point.key, inbound.chat),
        source_key=inbound.source_key,
    )


# The ids of messages just written together, by their source keys (`storage.prepared`).
_IDS_OF: Prepared[list[tuple[str, int]]] = Prepared(
    Message,
    lambda keys: Message.filter(source_key__in=keys).values_list("source_key", "id"),
)


async def record_from_customers(
    arrivals: list[tuple[Conversation, InboundMessage]],
) -> list[Message]:
    """Several customers' messages as they came in, each in its conversation, with their
    links (`record_messages`)."""
    return await record_messages(
        [
            Recorded(
                conversation,
                inbound,
                Direction.IN,
                inbound.body.text,
                customer_chat_key(inbound.entry_point.key, inbound.chat),
                inbound.source_key,
            )
            for conversation, inbound in arrivals
        ]
    )


class Recorded(NamedTuple):
    """What `record_message` is given, for one of several recorded together."""

    conversation: Conversation
    arrival: Arrival
    direction: Direction
    text: str | None
    chat_key: str
    source_key: str
    author: Operator | None = None


async def record_messages(arrivals: list[Recorded]) -> list[Message]:
    """Several messages as they came in, each as `record_message` stores one, in three
    statements for all of them (the messages, their new ids, the links). Call in a
    transaction; a repeated one (its source key is stored) fails them all."""
    messages = [await _message_row(*arrival) for arrival in arrivals]
    await Message.bulk_create(messages)
    ids = dict(await _IDS_OF([m.source_key for m in messages]))
    links = []
    for message, arrival in zip(messages, arrivals, strict=True):
        message.id = ids[message.source_key]
        message._saved_in_db = True  # tortoise's mark of a stored row: links may point at it
        external_id = arrival.arrival.external_id
        links.append(MessageLink(message=message, chat=arrival.chat_key, external_id=external_id))
    await MessageLink.bulk_create(links)
    return messages


async def record_written(
    conversation: Conversation,
    *,
    direction: Direction,
    author: Operator,
    text: str,
    content: dict[str, Any] | None = None,
) -> Message:
    """Store a message an operator wrote through the desk itself (a command's note, a quick
    reply, a transfer note): it has no original in any chat, so no link yet."""
    return await Message.create(
        conversation=conversation,
        direction=direction,
        author_operator=author,
        kind="text",
        text=text,
        content=content or {},
    )


# Several messages shown as one (a customer's texts merged into one message of the thread):
# the last is linked under the message's own id, so that a reply to it answers the last part;
# the ones before it under "<id>#<n>".
PART_MARK = "#"


def copy_links(chat_key: str, copies: Iterable[tuple[Message, str]]) -> list[MessageLink]:
    """The links (unsaved) of messages sent to `chat_key`, each as its external id, to be
    stored ignoring conflicts: a repeated send of the same copy (a retried delivery) keeps
    the first link. Messages that went as one (the same external id, one after another)
    become its parts."""
    pairs = list(copies)
    links = []
    for index, (message, external_id) in enumerate(pairs):
        first = index
        while first > 0 and pairs[first - 1][1] == external_id:
            first -= 1
        last = index + 1 < len(pairs) and pairs[index + 1][1] == external_id
        part = f"{external_id}{PART_MARK}{index - first + 1}" if last else external_id
        links.append(MessageLink(message=message, chat=chat_key, external_id=part))
    return links


# A merged message shows at most so many parts (`bot.outbox.merging`).
MAX_PARTS = 20
_LINKED_NAMED: Prepared[list[MessageLink]] = Prepared(
    MessageLink,
    lambda chat, names: MessageLink.filter(chat=chat, external_id__in=names).select_related(
        "message"
    ),
)


def plain_id(external_id: str) -> str:
    """The id of the message a copy is in on its side (a part is in its merged message)."""
    return external_id.partition(PART_MARK)[0]


def _names(external_id: str) -> list[str]:
    """What the links of a message's parts are named (`copy_links`)."""
    return [external_id] + [f"{external_id}{PART_MARK}{n}" for n in range(1, MAX_PARTS)]


async def messages_shown_in(chat_key: str, external_id: str) -> list[Message]:
    """The messages shown in `external_id` of `chat_key`, in their order: one for a plain
    copy, several for merged ones, none for a message that carries no stored one. Read with
    their links in one statement."""
    links = await _LINKED_NAMED(chat_key, _names(external_id))
    order = {
        link.external_id: int(link.external_id.partition(PART_MARK)[2])
        if PART_MARK in link.external_id
        else len(links) + 1
        for link in links
    }
    return [link.message for link in sorted(links, key=lambda link: order[link.external_id])]


async def find_link(chat_key: str, external_id: str) -> MessageLink | None:
    return await MessageLink.get_or_none(chat=chat_key, external_id=external_id)


async def counterpart(message_id: int, chat_key: str) -> str | None:
    """The id of the message that shows `message_id` in `chat_key`, if it was delivered
    (a merged one, when it went as a part of it)."""
    copy = await copy_of(message_id, chat_key)
    return plain_id(copy) if copy else None


async def copy_of(message_id: int, chat_key: str) -> str | None:
    """The link of `message_id`'s copy in `chat_key` as stored (a part names its part)."""
    link = await MessageLink.filter(message_id=message_id, chat=chat_key).order_by("id").first()
    return link.external_id if link else None


async def apply_edit(link: MessageLink, body: MessageBody, when: datetime) -> Message:
    """Store the new text of the message behind `link` (either side's original)."""
    message = await get_by_id(Message, link.message_id)  # type: ignore[attr-defined]
    message.text = body.text
    message.content = body.content
    message.edited_at = when
    await message.save(update_fields=["text", "content", "edited_at"])
    return message
