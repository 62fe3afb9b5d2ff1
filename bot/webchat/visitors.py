"""A visitor's words into the core: a message goes to the inbox like a Telegram customer's
(and becomes a line of their transcript, shown in their other windows); a button of a
question goes to the rating path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.attachments.kinds import IMAGES
from bot.attachments.store import ATTACHMENTS, attach, forget, keep, listed
from bot.base.events import CustomerRef, EntryPointRef, InboundMessage, MessageBody
from bot.base.ports import FileData
from bot.conversations.inbox import Inbox
from bot.webchat import CHANNEL
from bot.webchat.prechat import Given
from bot.webchat.tokens import Visitor
from bot.webchat.transcript import (
    LINK_HOURS,
    VisitorPush,
    add,
    change,
    of_visitor,
    shape,
    window_file,
)
from storage.models import EntryPoint, WebchatItem

MAX_TEXT = 4096  # a Telegram message: longer texts would be cut where operators read them


@dataclass(frozen=True)
class Said:
    """What came of a visitor's message: its line, or why there is none."""

    item: dict[str, Any] | None
    refused: str | None = None  # "banned"; a repeat of a message is neither


def display_name(visitor: Visitor) -> str:
    """How operators see a visitor who gave no name: short, and the same on every visit."""
    return f"Web visitor {visitor.id[:6]}"


def _inbound(
    entry: EntryPoint,
    visitor: Visitor,
    client_id: str,
    language: str | None,
    body: MessageBody,
    given: Given | None,
    known_as: str | None,
) -> InboundMessage:
    given = given or Given()
    return InboundMessage(
        entry_point=EntryPointRef(CHANNEL, entry.key, entry.name),
        customer=CustomerRef(
            CHANNEL,
            visitor.external_id,
            given.name or known_as or display_name(visitor),
            language=language,
            email=given.email,
            name_given=given.name is not None,
        ),
        chat=visitor.external_id,
        # The widget's id of the message: a resend after a lost connection is the same one.
        external_id=client_id,
        body=body,
    )


async def say(
    inbox: Inbox,
    push: VisitorPush,
    entry: EntryPoint,
    visitor: Visitor,
    text: str,
    client_id: str,
    language: str | None,
    given: Given | None = None,
    known_as: str | None = None,
) -> Said:
    """`given`: the name and email of the visitor's form; `known_as`: the name the desk
    already knows them by (so a message without the form keeps it)."""
    body = MessageBody("text", text)
    inbound = _inbound(entry, visitor, client_id, language, body, given, known_as)
    accepted = await inbox.accept(inbound)
    if accepted.duplicate:
        return Said(None)
    if accepted.message_id is None:
        return Said(None, refused="banned")
    item = await add(entry.id, visitor.external_id, "in", text, message_id=accepted.message_id)
    shown = shape(item)
    push.push(visitor.external_id, shown)
    return Said(shown)


async def send_file(
    inbox: Inbox,
    push: VisitorPush,
    entry: EntryPoint,
    visitor: Visitor,
    file: FileData,
    caption: str | None,
    client_id: str,
    language: str | None,
    given: Given | None = None,
    known_as: str | None = None,
    hours: float = LINK_HOURS,
) -> Said:
    """A file the visitor sent (its type and size checked already): a photo or a document
    of the customer, as a Telegram customer's; `given` and `known_as` as for `say`. The
    bytes are kept first and forgotten again when the message is not taken (a resend, a
    banned contact)."""
    stored = await keep(file)
    kind = "photo" if file.mime in IMAGES else "document"
    body = MessageBody(kind, caption or None, {ATTACHMENTS: [listed(stored)]})
    try:
        inbound = _inbound(entry, visitor, client_id, language, body, given, known_as)
        accepted = await inbox.accept(inbound)
    except Exception:
        await forget([stored])
        raise
    if accepted.duplicate or accepted.message_id is None:
        await forget([stored])
        return Said(None, refused=None if accepted.duplicate else "banned")
    assert accepted.conversation_id is not None
    await attach([stored], accepted.message_id, accepted.conversation_id)
    item = await add(
        entry.id,
        visitor.external_id,
        "in",
        caption or None,
        message_id=accepted.message_id,
        files=[window_file(stored)],
    )
    shown = shape(item, hours)
    push.push(visitor.external_id, shown)
    return Said(shown)


async def choose(
    inbox: Inbox, push: VisitorPush, visitor: Visitor, item_id: int, choice: int
) -> bool:
    """The visitor pressed button `choice` of question `item_id`; False when it is not
    theirs, not a button, or was answered already."""
    item = await of_visitor(visitor.external_id, item_id)
    if item is None or not item.buttons or item.answered is not None:
        return False
    if not 0 <= choice < len(item.buttons):
        return False
    _label, command, conversation_id, arg = item.buttons[choice]
    if command != "csat" or not str(arg).isdigit():
        return False
    rated = await inbox.accept_rating(CHANNEL, visitor.external_id, conversation_id, int(arg))
    if rated:
        await _answered(push, item, choice)
    return rated


async def _answered(push: VisitorPush, item: WebchatItem, choice: int) -> None:
    await change(item, answered=choice)
    push.push(item.visitor, shape(item))
