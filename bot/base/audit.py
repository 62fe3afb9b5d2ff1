"""The audit trail: every change of assignee, status, line or topic, with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.models import AuditEntry, Conversation, Operator

SYSTEM = "system"


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
    operator who did it; `actor_name` says what did ("system", "cli") and, given with an
    operator, from where (`web:<username>` for the admin panel)."""
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
