"""A customer's texts shown as one message of the thread, where a message is scarce.

A Telegram group takes 20 messages a minute for all of a line's topics. A new customer's
thread opens with its card and the texts queued for it in one message, and when the
group's budget is what holds messages back, each customer's queued texts go as one message,
each with its time. Only texts merge (no media, albums, or replies, which keep their own
message): what follows them goes after, in order. The parts stay messages of their own in
the database; their links say which merged message shows them (`message_links`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.base.cards import Card
from bot.base.ports import Outgoing
from bot.conversations.message_links import MAX_PARTS, messages_shown_in
from bot.conversations.view import header_card, load_for_view
from bot.outbox.statements import PENDING_OF_EACH_WITH_MESSAGES
from storage.models import Conversation, Delivery, DeliveryKind, DeliveryStatus, Message, Thread
from storage.prepared import Prepared, padded

# At most so many texts, and so many characters of them, in one message: with the card and
# the times it stays under Telegram's 4096 characters.
MAX_CHARACTERS = 3000


def mergeable(message: Message) -> bool:
    return (
        message.kind == "text"
        and bool(message.text)
        and message.album_key is None
        and message.reply_to_id is None  # type: ignore[attr-defined]
    )


def together(messages: list[Message], card_owed: bool) -> bool:
    """Whether `messages` go as one message (with the thread's owed card, if any)."""
    if not messages or not (card_owed or len(messages) > 1):
        return False
    return all(mergeable(m) for m in messages) and _size(messages) <= MAX_CHARACTERS


def _size(messages: list[Message]) -> int:
    return sum(len(m.text or "") for m in messages)


_QUEUED_FROM: Prepared[list[Delivery]] = Prepared(
    Delivery,
    lambda target, first: (
        Delivery.filter(target=target, status=DeliveryStatus.PENDING, id__gte=first)
        .order_by("id")
        .limit(MAX_PARTS)
        .select_related("message")
    ),
)


async def queued_in(targets: list[str]) -> dict[str, list[Delivery]]:
    """What waits in each of the threads `targets` (as `queued_run` reads it for one), in
    one statement. A thread whose queue was cut by the statement's limit before it holds a
    whole run is left out: its run is read alone."""
    limit = MAX_PARTS * len(targets)
    rows = await PENDING_OF_EACH_WITH_MESSAGES(padded(targets), limit)
    queued: dict[str, list[Delivery]] = {target: [] for target in targets}
    for row in rows:
        queued[row.target].append(row)
    if len(rows) < limit:
        return queued
    return {target: run for target, run in queued.items() if len(run) >= MAX_PARTS}


async def queued_run(head: Delivery, queued: list[Delivery] | None = None) -> list[Delivery]:
    """`head` and the texts queued right behind it in its thread that may go with it;
    `queued`: what waits in the thread, as `queued_in` read it a moment ago."""
    if queued is None:
        rows = await _QUEUED_FROM(head.target, head.id)
    else:
        rows = [row for row in queued if row.id >= head.id][:MAX_PARTS]
    run: list[Delivery] = []
    size = 0
    for row in rows:
        if row.op != DeliveryKind.RELAY or row.group_key or row.message is None:
            break
        if not mergeable(row.message):
            break
        size += len(row.message.text or "")
        if size > MAX_CHARACTERS and run:
            break
        run.append(row)
    return run


def part(message: Message) -> Outgoing:
    """A merged text as a sender renders it: its words and its time, never a copy."""
    return Outgoing(
        message_id=message.id,
        kind=message.kind,
        text=message.text,
        content=message.content,
        sent_at=message.created_at,
    )


@dataclass(frozen=True)
class Merged:
    """What one merged message of a thread shows."""

    parts: list[Outgoing]
    card: Card | None


async def merged_message(thread: Thread, chat_key: str, external_id: str) -> Merged | None:
    """The parts and card of `external_id` in `thread`, or None for a plain message."""
    messages = await messages_shown_in(chat_key, external_id)
    owner = await Conversation.filter(thread_id=thread.id, card_message_id=external_id).first()
    if owner is None and len(messages) < 2:
        return None
    parts = [part(message) for message in messages]
    card = header_card(await load_for_view(owner.id), thread.id) if owner else None
    return Merged(parts, card)


async def parts_shown_with(chat_key: str, card_id: str) -> list[Outgoing]:
    """The texts a card message shows below the card (a thread opened with its first texts)."""
    return [part(message) for message in await messages_shown_in(chat_key, card_id)]
