"""The audit trail: every change of assignee, status, line or topic, with who and when."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from storage.models import AuditEntry, Conversation, Operator

SYSTEM = "system"
RULE = "rule"

# The rule whose actions are running: what they change is audited in its name.
_acting_rule: ContextVar[str | None] = ContextVar("acting_rule", default=None)


@contextmanager
def by_rule(name: str) -> Iterator[None]:
    """Entries recorded inside carry the rule's name (`details["rule"]`), and the rule is
    their actor when no operator is."""
    token = _acting_rule.set(name)
    try:
        yield
    finally:
        _acting_rule.reset(token)


def acting_rule() -> str | None:
    return _acting_rule.get()


async def record(action: str, **fields: Any) -> AuditEntry:
    """Store one entry (what `entry` makes of the same arguments); call inside the
    transaction that makes the change."""
    written = entry(action, **fields)
    await written.save()
    return written


def entry(
    action: str,
    *,
    at: datetime,
    actor: Operator | None = None,
    actor_name: str | None = None,
    conversation: Conversation | None = None,
    operator: Operator | None = None,
    old: object = None,
    new: object = None,
    **details: Any,
) -> AuditEntry:
    """An entry, not stored yet (several go in one statement: `record_all`). `actor` is the
    operator who did it; `actor_name` says what did ("system", "cli", "rule") and, given
    with an operator, from where (`web:<username>` for the admin panel)."""
    rule = _acting_rule.get()
    if rule is not None:
        details = details | {"rule": rule}
        actor_name = actor_name or (None if actor else RULE)
    return AuditEntry(
        action=action,
        actor=actor,
        actor_name=actor_name or (actor.name if actor else SYSTEM),
        conversation=conversation,
        operator=operator,
        old_value=_short(old),
        new_value=_short(new),
        details=details,
        created_at=at,
    )


async def record_all(entries: list[AuditEntry]) -> None:
    """Store the entries made by `entry`, in one statement; call inside the transaction."""
    if len(entries) == 1:
        await entries[0].save()
    elif entries:
        await AuditEntry.bulk_create(entries)


def _short(value: object) -> str | None:
    return None if value is None else str(value)[:256]
