"""A customer's first message since their last conversation closed: the conversation is
opened in the contact's thread of the line, greeted (or told the line is out of hours) and
routed."""

from __future__ import annotations

from bot.base.clock import Clock
from bot.base.i18n import Text, _, verbatim
from bot.conversations.desk_actions import DeskActions
from bot.directory.business_hours import is_open
from bot.outbox.queue import Outbox
from bot.rules.runner import Outcome
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    DeliveryKind,
    EntryPoint,
    Identity,
    Line,
    Thread,
)
from storage.prepared import get_by_id


async def open_conversation(
    outbox: Outbox,
    clock: Clock,
    contact: Contact,
    identity: Identity,
    entry_point: EntryPoint,
    *,
    first_contact: bool = False,
    line: Line | None = None,
) -> Conversation:
    """The contact's new conversation, written to by the customer now. `first_contact`: the
    contact was made just now, so it has no thread to look for. `line`: the entry point's
    line, read a moment ago."""
    if line is None:  # as it is now: an admin may have pointed the entry point elsewhere
        line = await Line.get(entry_points__id=entry_point.id)
    workspace = {"workspace_kind": line.workspace_kind, "workspace_chat": line.workspace_chat}
    if first_contact:
        thread, created = await Thread.create(contact=contact, line=line, **workspace), True
    else:
        thread, created = await Thread.get_or_create(contact=contact, line=line, defaults=workspace)
    now = clock.now()
    conversation = await Conversation.create(
        contact=contact,
        identity=identity,
        entry_point=entry_point,
        line=line,
        thread=thread,
        status=ConversationStatus.QUEUED,
        open_key=contact.id,
        queued_at=now,
        last_customer_message_at=now,
    )
    if not created:
        await outbox.notice_thread(
            thread,
            conversation,
            Text(_("──── New conversation #{number} ────"), number=conversation.number),
        )
        await outbox.refresh_thread(thread.id, conversation)
        await outbox.to_thread(thread, DeliveryKind.CARD_POST, conversation)
    return conversation


async def welcome(
    actions: DeskActions, outbox: Outbox, clock: Clock, conversation: Conversation, outcome: Outcome
) -> None:
    """A new conversation: the line's greeting or its out-of-hours answer, then routing;
    what the incoming rules did comes first (a rule's answer replaces the line's, and
    a conversation a rule assigned or snoozed is not routed)."""
    line = _opened_on(conversation)
    if conversation.status == ConversationStatus.QUEUED and not outcome.told_customer:
        await _greet(actions, outbox, clock, conversation, line)
    if conversation.status == ConversationStatus.QUEUED:
        await actions.route(conversation, refresh=False, line=line)


def _opened_on(conversation: Conversation) -> Line | None:
    """The line `open_conversation` read, if the conversation is still on it (a rule may
    have transferred it since)."""
    line = conversation.line
    if isinstance(line, Line) and line.id == conversation.line_id:  # type: ignore[attr-defined]
        return line
    return None


async def _greet(
    actions: DeskActions,
    outbox: Outbox,
    clock: Clock,
    conversation: Conversation,
    line: Line | None = None,
) -> None:
    if line is None:
        line = await get_by_id(Line, conversation.line_id)  # type: ignore[attr-defined]
    now = clock.now()
    if not is_open(line.business_hours, now, actions.settings.timezone):
        await outbox.notice_customer(
            conversation,
            verbatim(line.out_of_hours_message)
            if line.out_of_hours_message
            else Text(
                _(
                    "Thank you for writing! We are out of office hours now and will answer as soon as we are back."  # noqa: E501
                )
            ),
        )
        conversation.out_of_hours_sent_at = now
        await conversation.save(update_fields=["out_of_hours_sent_at"])
    elif line.greeting:
        await outbox.notice_customer(conversation, verbatim(line.greeting))
