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


async def record(
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
    """Store one entry; call inside the transaction that makes the change. `actor` is the
    operator who did it; `actor_name` says what did ("system", "cli", "rule") and, given
    with an operator, from where (`web:<username>` for the admin panel)."""
    rule = _acting_rule.get()
    if rule is not None:
        details = details | {"rule": rule}
        actor_name = actor_name or (None if actor else RULE)
    return await AuditEntry.create(
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


def _short(value: object) -> str | None:
    return None if value is None else str(value)[:256]
