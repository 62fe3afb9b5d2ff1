"""The outbox's statements, built once (`storage.prepared`): they run in every step of the
worker and for every send."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Case, Q, Subquery, When
from tortoise.functions import Min
from tortoise.queryset import QuerySet

from storage.models import Conversation, Delivery, DeliveryKind, DeliveryStatus, MessageLink
from storage.prepared import Prepared

# Title and card refreshes and receipts: read after the messages due, so that a step's batch
# full of them never leaves a message unread (the worker puts them off behind messages).
BOOKKEEPING_OPS = [DeliveryKind.STATE.value, DeliveryKind.CONFIRM.value]

DUE_HEADS: Prepared[list[Delivery]] = Prepared(
    Delivery,
    lambda now, batch: (
        Delivery.filter(
            # Each target's oldest pending delivery, if it is due and nobody holds it: a
            # target's next one waits for its head.
            id__in=Subquery(
                Delivery.filter(status=DeliveryStatus.PENDING)
                .group_by("target")
                .annotate(head=Min("id"))
                .values("head")
            ),
            status=DeliveryStatus.PENDING,
            not_before__lte=now,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        # Strings, not numbers: PostgreSQL types a CASE of bare parameters as text.
        .annotate(turn=Case(When(op__in=BOOKKEEPING_OPS, then="2 later"), default="1 first"))
        .order_by("turn", "id")
        .limit(batch)
    ),
)
UPCOMING: Prepared[datetime | None] = Prepared(
    Delivery,
    lambda now: (
        Delivery.filter(status=DeliveryStatus.PENDING, not_before__gt=now)
        .order_by("not_before")
        .first()
        .values_list("not_before", flat=True)
    ),
)
PENDING_OF: Prepared[list[Delivery]] = Prepared(
    Delivery,
    lambda target, limit: (
        Delivery.filter(target=target, status=DeliveryStatus.PENDING).order_by("id").limit(limit)
    ),
)


def _pending_of_each(targets: list[str], limit: int) -> QuerySet[Delivery]:
    return (
        Delivery.filter(target__in=targets, status=DeliveryStatus.PENDING)
        .order_by("id")
        .limit(limit)
    )


# The pending deliveries of several targets at once, oldest first: threads' header refreshes,
# and what waits in threads, with its messages (`merging.queued_in`).
PENDING_OF_EACH: Prepared[list[Delivery]] = Prepared(Delivery, _pending_of_each)
PENDING_OF_EACH_WITH_MESSAGES: Prepared[list[Delivery]] = Prepared(
    Delivery, lambda targets, limit: _pending_of_each(targets, limit).select_related("message")
)
ALBUM: Prepared[list[Delivery]] = Prepared(
    Delivery,
    lambda target, group_key: (
        Delivery.filter(target=target, group_key=group_key, status=DeliveryStatus.PENDING)
        .order_by("id")
        .limit(10)
    ),
)
CLAIM: Prepared[int] = Prepared(
    Delivery,
    lambda ids, now, until: Delivery.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        id__in=ids,
        status=DeliveryStatus.PENDING,
    ).update(claimed_until=until),
)
RELEASE: Prepared[int] = Prepared(
    Delivery,
    lambda ids, until: Delivery.filter(id__in=ids, claimed_until=until).update(claimed_until=None),
)
UNCLAIM: Prepared[int] = Prepared(
    Delivery, lambda ids: Delivery.filter(id__in=ids).update(claimed_until=None)
)


# A customer delivery's conversation, with what its send needs (None when it is gone).
CONVERSATION_TO_CUSTOMER: Prepared[Conversation | None] = Prepared(
    Conversation,
    lambda ident: (
        Conversation.filter(id=ident).select_related("entry_point", "line", "identity").first()
    ),
)


def _to_customer(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return deliveries.select_related(
        "message", "conversation__entry_point", "conversation__line", "conversation__identity"
    )


# A customer delivery of one message, with the message and its conversation as above: what
# planning and sending it read, in one statement.
DELIVERY_TO_CUSTOMER: Prepared[Delivery | None] = Prepared(
    Delivery, lambda ident: _to_customer(Delivery.filter(id=ident)).first()
)
# The same for several, read ahead for a step's heads (`DeliveryPlanner.read_ahead`).
DELIVERIES_TO_CUSTOMER: Prepared[list[Delivery]] = Prepared(
    Delivery, lambda ids: _to_customer(Delivery.filter(id__in=ids))
)
MARK_SENT: Prepared[int] = Prepared(
    Delivery,
    lambda ids, now: Delivery.filter(id__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT, done_at=now, claimed_until=None
    ),
)
FIRST_LINK: Prepared[MessageLink | None] = Prepared(
    MessageLink,
    lambda message_id, chat: (
        MessageLink.filter(message_id=message_id, chat=chat).order_by("id").first()
    ),
)
