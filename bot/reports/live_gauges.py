"""What the database says now, for `/metrics`: the outbox's queue and the open conversations.

Read when Prometheus scrapes, never per message: one aggregate over the pending deliveries
(the status index keeps it to the queue, not the history), one GROUP BY over the
conversations not closed (found by the unique index on `open_key`, which only they fill,
not by scanning a year of closed ones), and the lines' names.
"""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.functions import Count

from bot.base.metrics import Metrics
from bot.outbox.queue import TargetKind
from storage.models import Conversation, ConversationStatus, Delivery, DeliveryStatus, Line

NOT_CLOSED = [s for s in ConversationStatus if s is not ConversationStatus.CLOSED]


async def pending_per_target_kind() -> dict[str, int]:
    """Every target kind, 0 included: an empty queue reads 0, not a missing series."""
    counts = {
        kind.value: Count("id", _filter=Q(target__startswith=f"{kind.value}:"))
        for kind in TargetKind
    }
    row = (
        await Delivery.filter(status=DeliveryStatus.PENDING)
        .annotate(**counts)
        .first()
        .values(*counts)
    )
    return {kind: int((row or {}).get(kind) or 0) for kind in counts}


async def open_conversations() -> dict[tuple[str, str], int]:
    """(line slug, status) -> conversations, for every line and every status but closed."""
    slugs = dict(await Line.all().values_list("id", "slug"))
    counts = {(slug, status.value): 0 for slug in slugs.values() for status in NOT_CLOSED}
    rows = (
        await Conversation.filter(open_key__gt=0, status__in=NOT_CLOSED)  # open_key: a contact id
        .annotate(count=Count("id"))
        .group_by("line_id", "status")
        .values_list("line_id", "status", "count")
    )
    for line_id, status, count in rows:
        slug = slugs.get(line_id)
        if slug is not None:
            counts[(slug, str(status))] = count
    return counts


async def refresh(metrics: Metrics) -> None:
    metrics.set_pending(await pending_per_target_kind())
    metrics.set_open_conversations(await open_conversations())
