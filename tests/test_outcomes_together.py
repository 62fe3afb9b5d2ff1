"""Sends that finish together store their outcomes together: every one is stored, and one
the database refuses fails only its own send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from bot.base.clock import Clock
from bot.outbox.completions import Completions, Outcome
from bot.outbox.queue import Outbox, Receipt
from storage.models import Delivery, DeliveryKind, DeliveryStatus, Direction, Message

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
async def completions(connected_database: str) -> Completions:
    clock = Clock()
    return Completions(Outbox(clock), clock)


async def _answers(count: int) -> list[Delivery]:
    return [
        await Delivery.create(
            target=f"customer:{n}", op=DeliveryKind.RELAY.value, not_before=NOW - timedelta(1)
        )
        for n in range(count)
    ]


async def test_thirty_answers_sent_at_once_are_all_marked_sent_with_their_receipts(
    completions: Completions,
) -> None:
    answers = await _answers(30)

    await asyncio.wait_for(
        asyncio.gather(
            *(
                completions.store(Outcome([a.id], receipts=[Receipt(1, "-100", str(a.id), True)]))
                for a in answers
            )
        ),
        timeout=30,
    )

    assert await Delivery.filter(op="relay", status=DeliveryStatus.SENT).count() == 30
    receipts = await Delivery.filter(target="confirm:1", status=DeliveryStatus.PENDING)
    assert sorted(r.payload["external_id"] for r in receipts) == sorted(str(a.id) for a in answers)
    assert all(r.payload == {**r.payload, "chat": "-100", "delivered": True} for r in receipts)


async def test_an_outcome_the_database_refuses_fails_its_own_send_only(
    completions: Completions,
) -> None:
    answers = await _answers(10)
    # A copy of a message deleted meanwhile: its link points at no message.
    gone = Message(id=10**9, direction=Direction.OUT, kind="text", text="gone")
    gone._saved_in_db = True
    copied = [("telegram:-100", [gone], ["77"])]

    outcomes = [Outcome([a.id], copies=copied if n == 4 else []) for n, a in enumerate(answers)]
    results = await asyncio.wait_for(
        asyncio.gather(*(completions.store(o) for o in outcomes), return_exceptions=True),
        timeout=30,
    )

    assert [isinstance(r, IntegrityError) for r in results] == [n == 4 for n in range(10)]
    sent = {d.id for d in await Delivery.filter(status=DeliveryStatus.SENT)}
    assert sent == {a.id for n, a in enumerate(answers) if n != 4}
    assert (await Delivery.get(id=answers[4].id)).status == DeliveryStatus.PENDING
