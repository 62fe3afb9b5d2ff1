"""A desk's history, inserted fast: closed conversations of earlier customers with their
contact, identity, topic, messages both ways, the links of each message on both sides and the
outbox's done deliveries, as a desk that has served for a long while keeps them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise import Tortoise

from bot.outbox.queue import TargetKind, thread_target
from storage import db
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Direction,
    EntryPoint,
    Identity,
    Line,
    Message,
    MessageLink,
    Operator,
    Thread,
)
from tests.fakes.desk import OPERATOR_CHAT

FIRST_STORED_USER = 10_000_000  # far from the benchmark's customers (700,001 on)
CHUNK = 5_000  # conversations per round of inserts
BATCH = 1_000  # rows per INSERT statement
WORDS = [
    (Direction.IN, "Hello, my order {n} has not arrived yet, could you check it please?"),
    (Direction.OUT, "Hello! I see order {n}: it left the warehouse yesterday, tracking follows."),
    (Direction.IN, "Thank you, that is all I needed."),
]


async def fill(url: str, conversations: int, bot_id: int) -> None:
    """`conversations` closed conversations in the database at `url` (migrated, with the
    benchmark's line and operators); the customers' bot is `bot_id`."""
    await db.connect(url)
    try:
        line = await Line.first()
        assert line is not None, "import the line first"
        operators = await Operator.all().order_by("id")
        entry, _ = await EntryPoint.get_or_create(
            key=f"telegram:{bot_id}",
            defaults={"channel": "telegram", "name": "@relaydesk_bot", "line": line},
        )
        for first in range(0, conversations, CHUNK):
            await _chunk(range(first, min(first + CHUNK, conversations)), line, entry, operators)
        if not db.is_single_instance(url):
            # A desk's tables grow slowly and autovacuum keeps up; after a million rows at
            # once its planner takes the tables for empty and its vacuum runs amid the burst.
            await Tortoise.get_connection("default").execute_script("VACUUM ANALYZE")
    finally:
        await db.disconnect()


def customer_target_of(identity_id: int) -> str:
    return f"{TargetKind.CUSTOMER}:{identity_id}"


async def _ids(model: type, after: int, count: int) -> list[int]:
    ids = await model.filter(id__gt=after).order_by("id").limit(count).values_list("id", flat=True)
    assert len(ids) == count
    return list(ids)


async def _last_id(model: type) -> int:
    last = await model.all().order_by("-id").first().values_list("id", flat=True)
    return int(last or 0)


async def _insert(model: type, rows: list) -> list[int]:
    """Insert `rows` in batches; their ids, in order (the table only grows here)."""
    after = await _last_id(model)
    await model.bulk_create(rows, batch_size=BATCH)
    return await _ids(model, after, len(rows))


async def _chunk(numbers: range, line: Line, entry: EntryPoint, operators: list) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    at = {n: base + timedelta(minutes=5 * n) for n in numbers}
    users = {n: FIRST_STORED_USER + n for n in numbers}
    contacts = await _insert(
        Contact, [Contact(name=f"Stored customer {n}", language="en") for n in numbers]
    )
    identities = await _insert(
        Identity,
        [
            Identity(
                contact_id=c,
                channel="telegram",
                external_id=str(users[n]),
                username=f"stored{n}",
                display_name=f"Stored customer {n}",
            )
            for n, c in zip(numbers, contacts, strict=True)
        ],
    )
    threads = await _insert(
        Thread,
        [
            Thread(
                contact_id=c,
                line_id=line.id,
                workspace_kind="telegram",
                workspace_chat=str(OPERATOR_CHAT),
                external_id=str(users[n]),
                title=f"Stored customer {n}",
            )
            for n, c in zip(numbers, contacts, strict=True)
        ],
    )
    conversations = await _insert(
        Conversation,
        [
            Conversation(
                contact_id=c,
                identity_id=i,
                entry_point_id=entry.id,
                line_id=line.id,
                thread_id=t,
                assignee_id=operators[n % len(operators)].id,
                status=ConversationStatus.CLOSED,
                topic="Delivery",
                result="Solved",
                queued_at=at[n],
                first_response_at=at[n] + timedelta(minutes=2),
                closed_at=at[n] + timedelta(minutes=30),
                last_customer_message_at=at[n] + timedelta(minutes=3),
                last_operator_message_at=at[n] + timedelta(minutes=2),
                csat_score=5,
            )
            for n, c, i, t in zip(numbers, contacts, identities, threads, strict=True)
        ],
    )
    spoken = [
        (n, k, conversation, direction, text.format(n=n))
        for n, conversation in zip(numbers, conversations, strict=True)
        for k, (direction, text) in enumerate(WORDS)
    ]
    messages = await _insert(
        Message,
        [
            Message(
                conversation_id=conversation,
                direction=direction,
                author_operator_id=operators[n % len(operators)].id
                if direction == Direction.OUT
                else None,
                text=text,
                content={"text": text},
                source_key=f"stored:{n}:{k}",
            )
            for n, k, conversation, direction, text in spoken
        ],
    )
    links, deliveries = [], []
    identity_of = dict(zip(conversations, identities, strict=True))
    thread_of = dict(zip(conversations, threads, strict=True))
    for (n, k, conversation, direction, _), message in zip(spoken, messages, strict=True):
        in_group = str(FIRST_STORED_USER * 10 + 3 * n + k)
        in_private = str(3 * n + k + 1)
        customer = f"{entry.key}:{users[n]}"
        links += [
            MessageLink(
                message_id=message, chat=f"ws:telegram:{OPERATOR_CHAT}", external_id=in_group
            ),
            MessageLink(message_id=message, chat=customer, external_id=in_private),
        ]
        if direction == Direction.OUT:
            target = customer_target_of(identity_of[conversation])
        else:
            target = thread_target(thread_of[conversation])
        deliveries.append(
            Delivery(
                target=target,
                op=DeliveryKind.RELAY.value,
                payload={},
                conversation_id=conversation,
                message_id=message,
                status=DeliveryStatus.SENT,
                attempts=1,
                not_before=at[n],
                done_at=at[n] + timedelta(seconds=1),
            )
        )
    await MessageLink.bulk_create(links, batch_size=BATCH)
    await Delivery.bulk_create(deliveries, batch_size=BATCH)
