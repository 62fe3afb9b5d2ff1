"""Who gets a conversation: the line's routing policy over its free operators' spare capacity."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Subquery

from storage.models import (
    Conversation,
    ConversationStatus,
    Line,
    LineMember,
    Operator,
    OperatorStatus,
    RoutingPolicy,
)
from storage.prepared import Prepared

ACTIVE = (ConversationStatus.OPEN, ConversationStatus.QUEUED, ConversationStatus.SNOOZED)


async def load(operator_ids: Iterable[int]) -> dict[int, int]:
    """Open (not closed) conversations per operator."""
    ids = list(operator_ids)
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = await Conversation.filter(assignee_id__in=ids, status__in=ACTIVE).values_list(
        "assignee_id", flat=True
    )
    for assignee in rows:
        counts[assignee] += 1
    return counts


async def load_of(operator: Operator) -> int:
    return (await load([operator.id]))[operator.id]


_MEMBERS: Prepared[list[Operator]] = Prepared(
    Operator,
    lambda line_id: Operator.filter(
        id__in=Subquery(LineMember.filter(line_id=line_id).values("operator_id"))
    ).order_by("id"),
)


async def members(line: Line) -> list[Operator]:
    return await _MEMBERS(line.id)


async def candidates(line: Line, exclude: Iterable[int] = ()) -> list[Operator]:
    """Free members with spare capacity, in the order the line's policy prefers them."""
    skip = set(exclude)
    free = [o for o in await members(line) if o.status == OperatorStatus.FREE and o.id not in skip]
    counts = await load(o.id for o in free)
    spare = [o for o in free if counts[o.id] < o.capacity]
    if line.routing_policy == RoutingPolicy.LEAST_BUSY:
        return sorted(spare, key=lambda o: (counts[o.id] / max(o.capacity, 1), counts[o.id], o.id))
    # Round robin: the next one after whoever got the line's last conversation.
    last = line.last_assigned_id or 0
    return sorted(spare, key=lambda o: (o.id <= last, o.id))


async def pick(line: Line, exclude: Iterable[int] = ()) -> Operator | None:
    if line.routing_policy == RoutingPolicy.MANUAL:
        return None
    found = await candidates(line, exclude)
    return found[0] if found else None
