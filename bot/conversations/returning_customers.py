"""A customer writes again in a conversation that is not closed: what that changes for a
snoozed conversation and for an assignee who does not want to be disturbed."""

from __future__ import annotations

from bot.base.i18n import Text, _
from bot.conversations.changes import Change
from bot.conversations.desk_actions import DeskActions
from bot.rules.runner import Rules
from storage.models import Conversation, ConversationStatus, OperatorStatus


async def resume(actions: DeskActions, rules: Rules, conversation: Conversation, text: str) -> None:
    """The customer wrote again: a snooze ends; an assignee who does not want to be
    disturbed hands the conversation back to the queue. A conversation that was
    waiting for the customer (a rule finished it) comes back to the queue for whoever is
    free, unless a rule for changed conversations keeps it with its assignee."""
    if conversation.status == ConversationStatus.SNOOZED and conversation.snoozed_until is None:
        await rules.changed(Change(conversation, "reactivated", customer=True, text=text))
        if conversation.status != ConversationStatus.SNOOZED:
            return
        await actions.wake(conversation, by_customer=True)
        await actions.requeue(conversation, by=None, via="reactivated", route=False)
        await actions.route(conversation)
        return
    if conversation.status == ConversationStatus.SNOOZED:
        await actions.wake(conversation, by_customer=True)
        return
    if conversation.assignee_id is None:  # type: ignore[attr-defined]
        return
    assignee = await conversation.assignee
    if assignee is not None and assignee.status == OperatorStatus.DND:
        await actions.tell_thread(
            conversation,
            Text(
                _("{name} does not want to be disturbed: #{number} goes back to the queue."),
                name=assignee.name,
                number=conversation.number,
            ),
        )
        await actions.requeue(conversation, by=None, via="dnd")
