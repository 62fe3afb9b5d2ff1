"""What a rule does, through the same desk actions and outbox as operators use: the audit
records each change (with the rule's name, `audit.by_rule`), and the thread shows a line
"Rule «name»: …" for each action that did something."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.base import audit
from bot.base.i18n import Text, _, verbatim
from bot.conversations import closing
from bot.conversations.desk_actions import DeskActions
from bot.conversations.message_links import record_written
from bot.conversations.quick_reply_texts import customer_language, pick_text
from bot.conversations.snooze_time import BadTime, parse_snooze
from bot.directory import DirectoryError
from bot.directory.business_hours import open_spans
from bot.directory.operators import find_operator
from bot.rules import webhook_action
from bot.rules.schema import AUTHOR, OPENING
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    Line,
    Operator,
    QuickReply,
)

log = logging.getLogger(__name__)


class Skipped(Exception):
    """The action cannot run now (it names a line or operator that is gone): said in the
    log, and the rule goes on with its next action."""


@dataclass(frozen=True)
class Deed:
    """What an action did, for the thread; `to_customer` when the customer was told something."""

    what: Text
    to_customer: bool = False


async def perform(
    actions: DeskActions,
    conversation: Conversation,
    action: Mapping[str, Any],
    *,
    author: Operator | None,
    customer_woke: bool,
    rule_id: int | None = None,
    event: str = "",
) -> Deed | None:
    """Run one action; None when it changed nothing (the conversation was already so).
    `rule_id` and `event` are the acting rule's and what set it off (a webhook tells them)."""
    ((name, value),) = action.items()
    now = actions.clock.now()
    if name == "assign":
        operator = author if value == AUTHOR else await _operator(value)
        if operator is None:
            raise Skipped("no operator wrote or acted")
        if conversation.assignee_id == operator.id:  # type: ignore[attr-defined]
            return None
        if conversation.status == ConversationStatus.CLOSED:
            raise Skipped("the conversation is closed")
        await actions.assign(conversation, operator, by=None, via="rule")
        return Deed(Text(_("assigned to {name}"), name=operator.name))
    if name == "route":
        picked = await actions.requeue(conversation, by=None, via="rule")
        if picked is None:
            return Deed(Text(_("back in the queue of the line")))
        return Deed(Text(_("handed to {name} by the line's routing"), name=picked.name))
    if name == "unassign":
        if conversation.assignee_id is None:  # type: ignore[attr-defined]
            return None
        await actions.requeue(conversation, by=None, via="rule", route=False)
        return Deed(Text(_("back in the queue of the line")))
    if name == "status":
        return await _status(actions, conversation, value, customer_woke)
    if name == "snooze":
        until = await _until(actions, conversation, value, now)
        await actions.snooze(conversation, until, by=None)
        shown = until.strftime("%Y-%m-%d %H:%M UTC")
        return Deed(Text(_("snoozed until {time}"), time=shown))
    if name == "wait":
        if conversation.status == ConversationStatus.SNOOZED and not conversation.snoozed_until:
            return None
        await actions.snooze(conversation, None, by=None)
        return Deed(Text(_("finished: waiting for the customer to write")))
    if name == "topic":
        if conversation.topic == value:
            return None
        await actions.set_topic(conversation, value, by=None)
        return Deed(Text(_("topic set to {topic}"), topic=value))
    if name == "reply":
        await actions.tell_customer(conversation, verbatim(value))
        return Deed(Text(_("sent the customer: {text}"), text=value), to_customer=True)
    if name == "quick_reply":
        text = await _quick_reply_text(actions, conversation, value)
        await actions.tell_customer(conversation, verbatim(text))
        return Deed(Text(_("sent the customer: {text}"), text=text), to_customer=True)
    if name == "note":
        await record_written(conversation, direction=Direction.NOTE, author=None, text=value)  # type: ignore[arg-type]
        return Deed(Text(_("note: {text}"), text=value))
    if name == "notify_line":
        return await _notify_line(actions, conversation, value)
    if name == "webhook":
        return await _webhook(actions, conversation, value, rule_id, event)
    raise Skipped(f"unknown action {name!r}")


async def _operator(ref: Any) -> Operator:
    try:
        return await find_operator(ref)
    except DirectoryError as error:
        raise Skipped(error.message) from None


async def _status(
    actions: DeskActions, conversation: Conversation, value: str, customer_woke: bool
) -> Deed | None:
    if value == "closed":
        if conversation.status == ConversationStatus.CLOSED:
            return None
        await closing.finish(actions, conversation, by=None, result="rule")
        return Deed(Text(_("closed the conversation")), to_customer=True)
    if conversation.status == ConversationStatus.CLOSED:
        if not await actions.reopen(conversation, by=None):
            raise Skipped("the customer has another conversation open")
        return Deed(Text(_("reopened the conversation")))
    if conversation.status == ConversationStatus.SNOOZED:
        await actions.wake(conversation, by_customer=customer_woke)
        return Deed(Text(_("opened the conversation")))
    return None


async def _until(
    actions: DeskActions, conversation: Conversation, value: str, now: datetime
) -> datetime:
    if value != OPENING:
        try:
            return parse_snooze(value, now, actions.settings.timezone)
        except BadTime:
            raise Skipped(f"cannot read the time {value!r}") from None
    line = await Line.get(id=conversation.line_id)  # type: ignore[attr-defined]
    if not line.business_hours:
        raise Skipped(f"line {line.slug!r} has no business hours to wait for")
    today = now.astimezone(actions.clock.now().tzinfo).date()
    spans = open_spans(
        line.business_hours, today, today + timedelta(days=8), actions.settings.timezone
    )
    opening = next((start for start, end in spans if start > now), None)
    if opening is None:
        raise Skipped(f"line {line.slug!r} does not open in the coming week")
    return opening


async def _quick_reply_text(actions: DeskActions, conversation: Conversation, name: str) -> str:
    """The line's reply of that name, else the desk's; personal replies are an operator's."""
    rows = await QuickReply.filter(name__iexact=name.strip(), scope__in=("line", "global"))
    line_id = conversation.line_id  # type: ignore[attr-defined]
    mine = [r for r in rows if r.scope == "line" and r.line_id == line_id]  # type: ignore[attr-defined]
    reply = (mine or [r for r in rows if r.scope == "global"] or [None])[0]
    if reply is None:
        raise Skipped(f"there is no quick reply {name!r}")
    default = actions.live.default_language
    text = pick_text(reply.texts, await customer_language(conversation, default), default)
    if not text:
        raise Skipped(f"quick reply {name!r} has no text")
    return text


async def _webhook(
    actions: DeskActions,
    conversation: Conversation,
    value: Mapping[str, Any],
    rule_id: int | None,
    event: str,
) -> Deed:
    """Queued in the outbox (retried there, dead after the last attempt); an address the
    desk no longer calls (the setting changed since the rule was saved) is skipped."""
    if rule_id is None:
        raise Skipped("a webhook runs only from a saved rule")
    try:
        webhook_action.check_address(
            value, "webhook", allow_private=actions.settings.webhook_allow_private
        )
    except DirectoryError as error:
        raise Skipped(error.message) from None
    rule = audit.acting_rule() or ""
    body = await webhook_action.event(conversation, rule, event, actions.clock.now())
    await actions.outbox.to_rule_webhook(rule_id, str(value["url"]), body, conversation)
    return Deed(Text(_("called the webhook at {host}"), host=webhook_action.host_of(value)))


async def _notify_line(actions: DeskActions, conversation: Conversation, slug: str) -> Deed:
    line = await Line.get_or_none(slug=slug)
    if line is None:
        raise Skipped(f"there is no line {slug!r}")
    contact = await Contact.get(id=conversation.contact_id)  # type: ignore[attr-defined]
    rule = audit.acting_rule() or ""
    text = Text(
        _("Rule «{rule}»: conversation #{number} ({customer}) needs your attention."),
        rule=rule,
        number=conversation.number,
        customer=contact.name,
    )
    await actions.outbox.notice_line(line.id, text)
    return Deed(Text(_("told line {line}"), line=line.name))
