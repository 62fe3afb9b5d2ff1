"""Closing a conversation: topic and result first, then the customer's goodbye and rating."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.cards import Button, Card
from bot.base.i18n import Text, _, verbatim
from bot.conversations import csat
from bot.conversations.desk_actions import DeskActions
from bot.conversations.view import CLOSING_RESULTS, RESULT_NAMES
from storage.models import Conversation, ConversationStatus, Line, Operator


def split_result(args: str) -> tuple[str | None, str]:
    """`/close solved thanks a lot` -> ("solved", "thanks a lot"); no result -> (None, args)."""
    first, _, rest = args.strip().partition(" ")
    if first.lower() in CLOSING_RESULTS:
        return first.lower(), rest.strip()
    return None, args.strip()


def topic_card(conversation: Conversation, topics: list[str]) -> Card:
    return Card(
        title=Text(_("Choose the topic of conversation #{number}:"), number=conversation.number),
        buttons=[
            Button(verbatim(topic), "topic", conversation.id, str(index))
            for index, topic in enumerate(topics)
        ],
        row_width=2,
    )


def result_card(conversation: Conversation) -> Card:
    return Card(
        title=Text(_("How did conversation #{number} end?"), number=conversation.number),
        buttons=[
            Button(Text(RESULT_NAMES[code]), "result", conversation.id, code)
            for code in CLOSING_RESULTS
        ],
    )


async def what_is_missing(conversation: Conversation, line: Line) -> Card | None:
    """The question to ask before a pending /close can finish, or None when nothing is."""
    if line.topics and not conversation.topic:
        return topic_card(conversation, list(line.topics))
    if not (conversation.closing or {}).get("result"):
        return result_card(conversation)
    return None


async def finish(
    actions: DeskActions,
    conversation: Conversation,
    *,
    by: Operator | None,
    result: str,
    comment: str | None = None,
) -> None:
    """Close now: the thread shows it, the customer is told and asked for a rating."""
    line = await Line.get(id=conversation.line_id)  # type: ignore[attr-defined]
    async with in_transaction():
        old = conversation.status
        conversation.status = ConversationStatus.CLOSED
        conversation.open_key = None
        conversation.closed_at = actions.clock.now()
        conversation.snoozed_until = None
        conversation.result = result
        conversation.comment = comment or conversation.comment
        conversation.closing = None
        taken = conversation.assignee_id is None and by is not None  # type: ignore[attr-defined]
        if taken:
            conversation.assignee = by
        await conversation.save()
        if taken:  # whoever closes a conversation nobody had becomes its assignee
            await audit.record(
                "assignee",
                at=actions.clock.now(),
                actor=by,
                conversation=conversation,
                old=None,
                new=by.name if by else None,
                via="close",
            )
        await audit.record(
            "status",
            at=actions.clock.now(),
            actor=by,
            conversation=conversation,
            old=old,
            new=ConversationStatus.CLOSED.value,
            result=result,
        )
        await actions.outbox.refresh(conversation)
        await actions.changed(conversation, "status", actor=by)
        goodbye = (
            verbatim(line.closing_message)
            if line.closing_message
            else Text(
                _("Your request #{number} is closed. Write here any time if you need more help."),
                number=conversation.number,
            )
        )
        await actions.outbox.notice_customer(conversation, goodbye)
        if line.csat_enabled and result != "spam":
            await csat.ask(actions.outbox, actions.clock, conversation)
    await actions.drain(line)  # the assignee has room for the next one
