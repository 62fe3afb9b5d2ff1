"""A dry run: which rules of a list would fire for an event, in order, and what each would
do — the real condition functions over a `Facts` built from a sample or from a stored
conversation, and nothing done. It only reads: no rule runs, nothing is written or sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.base.i18n import Text, _
from bot.conversations.snooze_time import BadTime, parse_snooze
from bot.directory import DirectoryError
from bot.directory.checks import parse_operator_ref
from bot.rules import conditions
from bot.rules.book import compile_rule
from bot.rules.facts import Facts
from bot.rules.schema import AUTHOR, OPENING
from storage.models import (
    Contact,
    Conversation,
    Direction,
    EntryPoint,
    Line,
    Message,
    Operator,
    Rule,
    RuleKind,
)

MAX_TEXT = 1000  # rules search no further (bot/rules/safe_regex)


@dataclass(frozen=True)
class Sample:
    """A customer's message as the admin imagines it. An entry point, when named, decides
    the channel and the line, as it does for a real message."""

    text: str
    at: datetime
    channel: str = "telegram"
    entry_point: str = ""  # its key
    line: str = ""  # a slug; the first line when empty
    contact_name: str = ""
    tags: tuple[str, ...] = ()
    language: str | None = None
    first_message: bool = True
    earlier_conversations: int = 0


@dataclass(frozen=True)
class Verdict:
    """One rule of the list: whether it fires, each condition's answer, what it would do."""

    name: str
    match_all: bool
    conditions: tuple[tuple[Mapping[str, Any], bool], ...]
    fires: bool
    deeds: tuple[Text, ...]
    stop: bool
    reached: bool  # False: an earlier rule fired and stopped the list


async def facts_of_sample(sample: Sample, timezone: str) -> Facts:
    channel, line = sample.channel, None
    if sample.entry_point:
        entry_point = await EntryPoint.get_or_none(key=sample.entry_point).prefetch_related("line")
        if entry_point is not None:
            channel, line = entry_point.channel, entry_point.line
    if line is None and sample.line:
        line = await Line.get_or_none(slug__iexact=sample.line)
    if line is None:
        line = await Line.all().order_by("id").first()
    first = sample.first_message
    return Facts(
        event="new_conversation" if first else "customer_message",
        now=sample.at,
        channel=channel,
        entry_point=sample.entry_point,
        line=line.slug if line else sample.line,
        line_hours=line.business_hours if line else None,
        timezone=timezone,
        status="queued" if first else "open",
        assignee_id=None,
        author="customer",
        author_id=None,
        text=sample.text[:MAX_TEXT],
        tags=frozenset(t.casefold() for t in sample.tags),
        contact_fields={"name": sample.contact_name.casefold()},
        language=sample.language,
        first_message=first,
        created_at=sample.at,
        earlier_conversations=sample.earlier_conversations,
    )


async def facts_of_conversation(conversation: Conversation, timezone: str) -> Facts:
    """The conversation as it arrived: its first customer message, at the time it was
    created, from its contact as the contact is now."""
    entry_point = await EntryPoint.get(id=conversation.entry_point_id)  # type: ignore[attr-defined]
    line = await Line.get(id=conversation.line_id)  # type: ignore[attr-defined]
    contact = await Contact.get(id=conversation.contact_id)  # type: ignore[attr-defined]
    first = (
        await Message.filter(conversation_id=conversation.id, direction=Direction.IN)
        .order_by("id")
        .first()
    )
    earlier = await Conversation.filter(contact_id=contact.id, id__lt=conversation.id).count()
    return Facts(
        event="new_conversation",
        now=conversation.created_at,
        channel=entry_point.channel,
        entry_point=entry_point.key,
        line=line.slug,
        line_hours=line.business_hours,
        timezone=timezone,
        status="queued",
        assignee_id=None,
        author="customer",
        author_id=None,
        text=((first.text if first else "") or "")[:MAX_TEXT],
        tags=frozenset(str(t).casefold() for t in contact.tags or ()),
        contact_fields={
            key: str(getattr(contact, key) or "").casefold()
            for key in ("name", "phone", "email", "company")
        },
        language=contact.language,
        first_message=True,
        created_at=conversation.created_at,
        earlier_conversations=earlier,
    )


async def dry_run(kind: RuleKind, facts: Facts) -> list[Verdict]:
    """Every enabled rule of the list, in order, as the desk would meet it for `facts`."""
    verdicts = []
    stopped = False
    for row in await Rule.filter(kind=kind, enabled=True).order_by("position", "id"):
        try:
            loaded = await compile_rule(row)
        except (conditions.ConditionProblem, ValueError):
            continue  # the desk skips it too (and says so in its log)
        answers = tuple(
            (item, predicate(facts))
            for item, predicate in zip(row.conditions, loaded.predicates, strict=True)
        )
        fires = not stopped and loaded.applies(facts)
        deeds = tuple([await foretell(a, facts) for a in row.actions]) if fires else ()
        verdicts.append(
            Verdict(
                name=row.name,
                match_all=loaded.match_all,
                conditions=answers,
                fires=fires,
                deeds=deeds,
                stop=row.stop,
                reached=not stopped,
            )
        )
        stopped = stopped or (fires and row.stop)
    return verdicts


async def foretell(action: Mapping[str, Any], facts: Facts) -> Text:
    """What the action would do, in words; it reads, never acts."""
    ((name, value),) = action.items()
    if name == "assign":
        if value == AUTHOR:
            return Text(_("would assign it to the operator who acted"))
        operator = await _operator(value)
        if operator is None:
            return Text(_("would be skipped: {ref} names no operator of the desk"), ref=value)
        return Text(_("would assign it to {name}"), name=operator.name)
    if name == "snooze":
        if value == OPENING:
            return Text(_("would snooze it until the line's business hours start"))
        try:
            until = parse_snooze(str(value), facts.now, facts.timezone)
        except BadTime:
            return Text(_("would be skipped: cannot read the time {time}"), time=value)
        local = until.astimezone(ZoneInfo(facts.timezone)).strftime("%Y-%m-%d %H:%M")
        return Text(_("would snooze it until {time}"), time=local)
    if name == "status":
        if value == "closed":
            return Text(_("would close the conversation"))
        return Text(_("would open the conversation"))
    if name == "webhook":
        said = _(
            "would call the webhook {url} (a signed POST of the event, the conversation, "
            "the contact and the rule's name; retried if it fails)"
        )
        return Text(said, url=str(value.get("url", "")) if isinstance(value, Mapping) else "")
    if name in SAID:
        return Text(SAID[name], value=str(value))
    return Text(_("would do {name}: {value}"), name=name, value=str(value))


SAID = {
    "route": _("would hand it to the line's routing"),
    "unassign": _("would put it back in the line's queue"),
    "wait": _("would finish it and wait for the customer to write"),
    "topic": _("would set the topic to {value}"),
    "reply": _("would send the customer: {value}"),
    "quick_reply": _("would send the customer the quick reply {value}"),
    "note": _("would write a note: {value}"),
    "notify_line": _("would tell the line {value}"),
}


async def _operator(ref: Any) -> Operator | None:
    try:
        return await Operator.filter(**parse_operator_ref(ref)).first()
    except DirectoryError:
        return None
