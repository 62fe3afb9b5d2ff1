"""Conversations with a known history for the report's tests, written straight to the
database the way the desk would have written them: the conversation's times and the audit
entries of its assignments and statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from storage.models import (
    AuditEntry,
    Contact,
    Conversation,
    ConversationStatus,
    EntryPoint,
    Identity,
    Line,
    Message,
    Operator,
    Thread,
)

KYIV = ZoneInfo("Europe/Kyiv")  # UTC+3 in May
_numbers = count(1)


def kyiv(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of May 2026 on Kyiv's clock, in UTC as the database keeps it."""
    return datetime(2026, 5, day, hour, minute, tzinfo=KYIV).astimezone(UTC)


async def line(slug: str, name: str, hours: dict[str, Any] | None = None) -> Line:
    """`hours`: business hours in their stored form (bot/directory/business_hours.py)."""
    found = await Line.get_or_none(slug=slug)
    if found:
        return found
    return await Line.create(
        slug=slug,
        name=name,
        workspace_kind="telegram",
        workspace_chat=f"-100{next(_numbers)}",
        business_hours=hours,
    )


@dataclass
class History:
    created: datetime
    assigned: tuple[tuple[Operator, datetime], ...] = ()
    answered: datetime | None = None
    snoozed: tuple[tuple[datetime, datetime], ...] = ()  # (from, until)
    reopened: tuple[tuple[datetime, datetime], ...] = ()  # (closed, reopened) before `closed`
    messages: tuple[tuple[str, datetime], ...] = ()  # (direction, at)
    closed: datetime | None = None
    result: str | None = None
    csat: int | None = None
    topic: str | None = None
    channel: str = "telegram"


async def conversation(where: Line, name: str, history: History) -> Conversation:
    contact = await Contact.create(name=name)
    identity = await Identity.create(
        contact=contact,
        channel=history.channel,
        external_id=str(next(_numbers)),
        display_name=name,
    )
    entry_point, _ = await EntryPoint.get_or_create(
        key=f"{history.channel}:{where.slug}",
        defaults={
            "channel": history.channel,
            "name": f"{history.channel.title()} of {where.name}",
            "line": where,
        },
    )
    thread = await Thread.create(
        contact=contact,
        line=where,
        workspace_kind=where.workspace_kind,
        workspace_chat=where.workspace_chat,
    )
    status = ConversationStatus.CLOSED if history.closed else ConversationStatus.OPEN
    assignee = history.assigned[-1][0] if history.assigned else None
    if not history.closed and not assignee:
        status = ConversationStatus.QUEUED
    conversation = await Conversation.create(
        contact=contact,
        identity=identity,
        entry_point=entry_point,
        line=where,
        thread=thread,
        assignee=assignee,
        status=status,
        open_key=None if history.closed else contact.id,
        topic=history.topic,
        result=history.result,
        created_at=history.created,
        first_response_at=history.answered,
        closed_at=history.closed,
        csat_score=history.csat,
    )
    previous: Operator | None = None
    for operator, at in history.assigned:
        await _audit(
            conversation, "assignee", at, previous.name if previous else None, operator.name
        )
        previous = operator
    state = "open"
    for since, until in history.snoozed:
        await _audit(conversation, "status", since, state, "snoozed")
        await _audit(conversation, "status", until, "snoozed", state)
    for closed, reopened in history.reopened:
        await _audit(conversation, "status", closed, state, "closed")
        await _audit(conversation, "status", reopened, "closed", state)
    if history.closed:
        await _audit(conversation, "status", history.closed, state, "closed")
    for direction, at in history.messages:
        await Message.create(
            conversation=conversation, direction=direction, text=direction, created_at=at
        )
    return conversation


async def operator(name: str, telegram: int) -> Operator:
    found = await Operator.get_or_none(telegram_user_id=telegram)
    return found or await Operator.create(name=name, telegram_user_id=telegram)


async def _audit(
    conversation: Conversation, action: str, at: datetime, old: str | None, new: str
) -> None:
    await AuditEntry.create(
        action=action,
        conversation=conversation,
        actor_name="system",
        old_value=old,
        new_value=new,
        created_at=at,
    )


@dataclass
class Story:
    """Two days in May on two lines (hand-worked figures in the tests):

    A  Ivan,  4 May 09:00, Olga at 09:01, answered 09:05, closed 09:31, solved, CSAT 5
    B  Anna,  4 May 00:30 (3 May in UTC), nobody assigned, closed 00:50 unanswered: missed
    C  Boris, 5 May 12:00 webchat, Olga at 12:00, Petro at 12:10, answered 12:15, snoozed
              12:20-13:20, closed 13:40, solved, CSAT 3
    D  Dana,  5 May 14:00 on Sales, Olga at 14:00, answered 14:02, still open
    E  Eva,   3 May 23:30: the day before the period (4 May in UTC only till 20:30 UTC)
    """

    olga: Operator
    petro: Operator
    default: Line
    sales: Line
    a: Conversation
    b: Conversation
    c: Conversation
    d: Conversation
    e: Conversation


async def two_days_in_may() -> Story:
    default = await line("default", "Default")
    sales = await line("sales", "Sales")
    olga = await operator("Olga", 1001)
    petro = await operator("Petro", 1002)
    a = await conversation(
        default,
        "Ivan",
        History(
            kyiv(4, 9),
            assigned=((olga, kyiv(4, 9, 1)),),
            answered=kyiv(4, 9, 5),
            closed=kyiv(4, 9, 31),
            result="solved",
            csat=5,
            topic="Delivery",
        ),
    )
    b = await conversation(
        default,
        "Anna",
        History(kyiv(4, 0, 30), closed=kyiv(4, 0, 50), result="spam"),
    )
    c = await conversation(
        default,
        "Boris",
        History(
            kyiv(5, 12),
            assigned=((olga, kyiv(5, 12)), (petro, kyiv(5, 12, 10))),
            answered=kyiv(5, 12, 15),
            snoozed=((kyiv(5, 12, 20), kyiv(5, 13, 20)),),
            closed=kyiv(5, 13, 40),
            result="solved",
            csat=3,
            topic="Billing",
            channel="webchat",
        ),
    )
    d = await conversation(
        sales,
        "Dana",
        History(kyiv(5, 14), assigned=((olga, kyiv(5, 14)),), answered=kyiv(5, 14, 2)),
    )
    e = await conversation(
        default,
        "Eva",
        History(kyiv(3, 23, 30), assigned=((olga, kyiv(3, 23, 31)),), answered=kyiv(3, 23, 40)),
    )
    return Story(olga, petro, default, sales, a, b, c, d, e)
