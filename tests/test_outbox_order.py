"""What the worker reads first: customers' and operators' messages before titles, cards and
receipts, however many of those are queued ahead of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.outbox.statements import DUE_HEADS
from storage.models import Delivery, DeliveryKind

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
async def outbox(connected_database: str) -> None:
    """An empty outbox on each kind of database."""


async def _queue(target: str, kind: DeliveryKind) -> Delivery:
    return await Delivery.create(target=target, op=kind.value, not_before=NOW - timedelta(1))


async def test_an_answer_queued_behind_a_batch_of_title_refreshes_and_receipts_is_read_first(
    outbox,
) -> None:
    # 200 operators' answers at once: each queues a title refresh and a receipt; the worker
    # reads 5 heads a step here (200 in the desk).
    for thread in range(1, 5):
        await _queue(f"header:{thread}", DeliveryKind.STATE)
    await _queue("confirm:1", DeliveryKind.CONFIRM)
    answer = await _queue("customer:7", DeliveryKind.RELAY)
    text = await _queue("thread:9", DeliveryKind.RELAY)

    heads = await DUE_HEADS(NOW, 5)

    assert [h.id for h in heads[:2]] == [answer.id, text.id]
    assert [h.target for h in heads[2:]] == ["header:1", "header:2", "header:3"]


async def test_among_messages_and_among_the_rest_the_oldest_goes_first(outbox) -> None:
    first = await _queue("customer:1", DeliveryKind.RELAY)
    header = await _queue("header:1", DeliveryKind.STATE)
    second = await _queue("customer:2", DeliveryKind.NOTICE)
    receipt = await _queue("confirm:1", DeliveryKind.CONFIRM)

    heads = await DUE_HEADS(NOW, 10)

    assert [h.id for h in heads] == [first.id, second.id, header.id, receipt.id]
