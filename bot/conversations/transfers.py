"""Handing a conversation to a colleague, or moving it to another line (and workspace) with
the chosen part of its history."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.conversations.desk_actions import DeskActions
from bot.conversations.message_links import record_written
from storage.models import (
    Contact,
    Conversation,
    DeliveryKind,
    Direction,
    Line,
    Message,
    Operator,
    Thread,
)

HISTORY_LIMIT = 3500  # characters of transcript: one Telegram message holds 4096
CUSTOMER_TOLD = _("Another specialist will continue with your request.")


@dataclass(frozen=True)
class History:
    """How much of the conversation goes along: `all`, the last `count`, or `none`."""

    mode: str = "all"
    count: int = 0


async def to_operator(
    actions: DeskActions,
    conversation: Conversation,
    target: Operator,
    *,
    by: Operator,
    note: str,
) -> None:
    async with in_transaction():
        await actions.assign(conversation, target, by=by, via="transfer", note=note or None)
        if note:
            await record_written(conversation, direction=Direction.NOTE, author=by, text=note)
        await actions.tell_thread(
            conversation,
            Text(
                _("{by} transferred conversation #{number} to {to}.{note}"),
                by=by.name,
                number=conversation.number,
                to=target.name,
                note=_note(note),
            ),
        )
        await actions.tell_customer(conversation, Text(CUSTOMER_TOLD))


async def to_line(
    actions: DeskActions,
    conversation: Conversation,
    target: Line,
    *,
    by: Operator,
    history: History,
    note: str,
) -> None:
    """The conversation leaves its thread for a thread of the target line's workspace: a
    header card there, the history as a transcript, the note; then the target line's routing."""
    source = await Line.get(id=conversation.line_id)  # type: ignore[attr-defined]
    contact = await Contact.get(id=conversation.contact_id)  # type: ignore[attr-defined]
    outbox = actions.outbox
    async with in_transaction():
        old_thread = await Thread.get(id=conversation.thread_id)  # type: ignore[attr-defined]
        old_card = conversation.card_message_id
        thread, created = await Thread.get_or_create(
            contact=contact,
            line=target,
            defaults={
                "workspace_kind": target.workspace_kind,
                "workspace_chat": target.workspace_chat,
            },
        )
        conversation.line = target
        conversation.thread = thread
        conversation.card_message_id = None
        await conversation.save(update_fields=["line_id", "thread_id", "card_message_id"])
        await audit.record(
            "line",
            at=actions.clock.now(),
            actor=by,
            conversation=conversation,
            old=source.slug,
            new=target.slug,
            history=history.mode if history.mode != "last" else f"last {history.count}",
            note=note,
        )
        await outbox.notice_thread(
            old_thread,
            conversation,
            Text(
                _("{by} transferred conversation #{number} to line {line}.{note}"),
                by=by.name,
                number=conversation.number,
                line=target.name,
                note=_note(note),
            ),
        )
        await outbox.refresh_thread(old_thread.id, conversation, payload={"card_id": old_card})
        if not created:  # an earlier thread of this customer in that line: a fresh card
            await outbox.notice_thread(
                thread,
                conversation,
                Text(_("──── Conversation #{number} ────"), number=conversation.number),
            )
            await outbox.to_thread(thread, DeliveryKind.CARD_POST, conversation)
        await outbox.notice_thread(
            thread,
            conversation,
            Text(
                _("Transferred from line {line} by {by}.{note}\n{history}"),
                line=source.name,
                by=by.name,
                note=_note(note),
                history=await transcript(conversation, history),
            ),
        )
        await actions.requeue(conversation, by=by, via="transfer", route=False)
        await actions.tell_customer(conversation, Text(CUSTOMER_TOLD))
        await actions.changed(conversation, "line", actor=by)
    await actions.route(conversation)


def _note(note: str) -> Text | str:
    return Text(_(" Note: {note}"), note=note) if note else ""


async def transcript(conversation: Conversation, history: History) -> Text | str:
    """The chosen messages as lines "time author: text", newest kept when it is too long."""
    if history.mode == "none":
        return ""
    query = Message.filter(conversation_id=conversation.id).exclude(direction=Direction.SYSTEM)
    messages = await query.order_by("-id").prefetch_related("author_operator")
    if history.mode == "last":
        messages = messages[: history.count]
    contact = await Contact.get(id=conversation.contact_id)  # type: ignore[attr-defined]
    lines: list[Text] = []
    size = 0
    for message in messages:
        line = _line(message, contact.name)
        size += len(str(line.args.get("text", ""))) + 40
        if size > HISTORY_LIMIT:
            break
        lines.append(line)
    if not lines:
        return Text(_("History: no messages."))
    left_out = len(messages) - len(lines)
    return Text(
        _("History ({count} messages, oldest first):\n{lines}{more}"),
        count=len(lines),
        lines=list(reversed(lines)),
        more=Text(_("\n({count} earlier messages not shown)"), count=left_out) if left_out else "",
    )


def _line(message: Message, customer: str) -> Text:
    author = message.author_operator
    who = customer if message.direction == Direction.IN else (author.name if author else "?")
    body = message.text or ""
    if message.kind != "text":
        body = f"[{message.kind}] {body}".strip()
    template = (
        _("{time} {author} (note): {text}")
        if message.direction == Direction.NOTE
        else _("{time} {author}: {text}")
    )
    return Text(template, time=message.created_at.strftime("%H:%M"), author=who, text=body)
