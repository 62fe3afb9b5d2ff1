"""Two desks claiming the same deliveries: every group is sent by one desk only, all of it,
and what one desk could not take wholly is free again at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.base.clock import Clock
from bot.outbox.claims import Claims
from storage.models import Delivery, DeliveryKind

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
async def outbox(connected_database: str) -> None:
    """An empty outbox on each kind of database."""


async def _queue(target: str, group_key: str | None = None) -> Delivery:
    return await Delivery.create(
        target=target,
        op=DeliveryKind.RELAY.value,
        group_key=group_key,
        not_before=NOW - timedelta(1),
    )


async def test_an_album_half_held_by_the_other_desk_is_left_whole(outbox) -> None:
    first_photo = await _queue("thread:1", "album")
    second_photo = await _queue("thread:1", "album")
    other_desk, this_desk = Claims(Clock()), Claims(Clock())
    assert await other_desk.take([second_photo])

    assert not await this_desk.take([first_photo, second_photo])

    assert (await Delivery.get(id=first_photo.id)).claimed_until is None  # free for a step
    assert (await Delivery.get(id=second_photo.id)).claimed_until is not None


async def test_what_was_claimed_but_not_sent_is_let_go_for_the_next_step(outbox) -> None:
    answers = [await _queue(f"customer:{n}") for n in range(3)]
    desk = Claims(Clock())
    assert [await desk.take([a]) for a in answers] == [True, True, True]

    await desk.let_go([answers[1]])

    other_desk = Claims(Clock())
    assert [await other_desk.take([a]) for a in answers] == [False, True, False]
