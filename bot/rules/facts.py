"""What rules look at: a small snapshot of one event, read once, so that evaluating many
rules is only comparisons in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Events of each list (the `event` condition names them).
INCOMING_EVENTS = ("new_conversation", "customer_message")
CHANGED_EVENTS = (
    "status",  # the status changed (closed, reopened, snoozed, woken)
    "assignee",  # the assignee changed (taken, assigned, handed back)
    "line",  # moved to another line
    "topic",  # the topic was set
    "operator_message",  # an operator wrote to the customer
    "operator_message_closed",  # an operator wrote into a closed conversation (not sent)
    "reactivated",  # the customer wrote into a conversation that was waiting for them
)
AUTHORS = ("customer", "operator", "system")

# Facts that cost a query of their own: read only when an enabled rule looks at them.
COSTLY = ("assignee_lines", "author_lines", "earlier_conversations")


@dataclass(frozen=True)
class Facts:
    event: str
    now: datetime
    channel: str
    entry_point: str
    line: str  # the slug
    line_hours: Mapping[str, Any] | None
    timezone: str  # the desk's, for weekday and time (a line's hours carry their own)
    status: str
    assignee_id: int | None
    author: str  # customer | operator | system
    author_id: int | None
    text: str
    tags: frozenset[str]  # case-folded
    contact_fields: Mapping[str, str]  # name, phone, email, company (case-folded)
    language: str | None
    first_message: bool
    created_at: datetime
    assignee_lines: frozenset[str] = field(default_factory=frozenset)
    author_lines: frozenset[str] = field(default_factory=frozenset)
    earlier_conversations: int = 0
