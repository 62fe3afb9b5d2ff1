"""Statements built once (`storage.prepared`) give what tortoise's own queries give, on SQLite
and PostgreSQL: models with what they join, values, counts and updated rows, inside a
transaction as outside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import DoesNotExist
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from storage import db
from storage.models import Delivery, DeliveryStatus, Setting
from storage.prepared import Prepared, filter_by_ids, get_by_id

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

DUE = Prepared(
    Delivery,
    lambda target, now, limit: (
        Delivery.filter(target=target, status=DeliveryStatus.PENDING, not_before__lte=now)
        .order_by("id")
        .limit(limit)
    ),
)
COUNT_DUE = Prepared(Delivery, lambda now: Delivery.filter(not_before__lte=now).count())
TARGETS = Prepared(
    Delivery,
    lambda ids: Delivery.filter(id__in=ids).order_by("id").values_list("target", flat=True),
)
SENT = Prepared(
    Delivery,
    lambda ids, now: Delivery.filter(id__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT, done_at=now
    ),
)
EITHER_DUE = Prepared(
    Delivery,
    lambda now: Delivery.filter(Q(not_before__lte=now) | Q(done_at__lte=now)).count(),
)
NAMED = Prepared(Delivery, lambda targets: Delivery.filter(target__in=targets).count())
SETTING = Prepared(Setting, lambda key: Setting.get_or_none(key=key))
LIKE = Prepared(Setting, lambda start: Setting.filter(key__startswith=start).count())


@pytest.fixture
async def stored(database_url: str):
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        for index, target in enumerate(["thread:1", "thread:1", "thread:2", "thread:1"]):
            await Delivery.create(
                target=target, op="relay", not_before=NOW + timedelta(minutes=index - 2)
            )
        yield
    finally:
        await db.disconnect()


async def test_a_prepared_query_answers_as_the_query_does_each_time(stored) -> None:
    for _ in range(3):  # built on the first call, reused after
        due = await DUE("thread:1", NOW, 10)
        assert [d.target for d in due] == ["thread:1", "thread:1"]
        assert due == await Delivery.filter(target="thread:1", not_before__lte=NOW).order_by("id")
        assert [d.id for d in await DUE("thread:1", NOW, 1)] == [due[0].id]
        assert await DUE("thread:2", NOW - timedelta(hours=1), 10) == []
        assert await COUNT_DUE(NOW) == 3
        assert await EITHER_DUE(NOW) == 3  # one argument, two parameters
        assert await NAMED(["thread:2", "thread:9"]) == 1
        assert await NAMED(["thread:1"]) == 3
        assert await TARGETS([due[1].id, due[0].id]) == ["thread:1", "thread:1"]
        assert await TARGETS([due[0].id, due[1].id, due[1].id + 1]) == ["thread:1"] * 2 + [
            "thread:2"
        ]
    assert all(q.unprepared_shapes == 0 for q in (DUE, COUNT_DUE, EITHER_DUE, TARGETS, NAMED))


async def test_by_id_raises_for_a_missing_row_and_reads_the_rest(stored) -> None:
    first = await Delivery.all().order_by("id").first()
    assert first is not None
    assert (await get_by_id(Delivery, first.id)).target == "thread:1"
    with pytest.raises(DoesNotExist):
        await get_by_id(Delivery, first.id + 1000)
    assert {d.id for d in await filter_by_ids(Delivery, [first.id, first.id + 2])} == {
        first.id,
        first.id + 2,
    }


async def test_an_update_inside_a_transaction_is_undone_with_it(stored) -> None:
    ids = [d.id for d in await Delivery.all()]

    class Undo(Exception):
        """Raised inside the transaction to roll it back."""

    with pytest.raises(Undo):
        async with in_transaction():
            assert await SENT(ids, NOW) == 4
            assert await Delivery.filter(status=DeliveryStatus.SENT).count() == 4
            raise Undo
    assert await Delivery.filter(status=DeliveryStatus.SENT).count() == 0
    assert await SENT(ids[:2], NOW) == 2
    assert await SENT(ids[:2], NOW) == 0  # no longer pending
    sent = await Delivery.get(id=ids[0])
    assert sent.done_at == NOW


async def test_arguments_tortoise_rewrites_run_the_usual_way(stored) -> None:
    """`startswith` turns its argument into a pattern: the marker is not found as given, and
    the query runs as tortoise builds it, with the same answers."""
    await Setting.create(key="rules.a", value={})
    await Setting.create(key="rules.b", value={})
    assert await LIKE("rules.") == 2
    assert await LIKE("x") == 0
    assert LIKE.unprepared_shapes >= 1  # one per database the test ran on
    assert (await SETTING("rules.a")) is not None
    assert await SETTING("missing") is None
