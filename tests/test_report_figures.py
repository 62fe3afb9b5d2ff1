"""The report's figures for two days in May whose answers are worked out by hand
(tests/fakes/report_data.py tells the story): a missed conversation, a reassigned one with
a snooze, CSAT, each filter, the time zone's day boundary, and requests refused in words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.reports import rows
from bot.reports.figures import build
from bot.reports.request import ReportRefused, ReportRequest, Scope
from storage import db
from tests.fakes.report_data import KYIV, Story, two_days_in_may

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def story(database_url: str) -> AsyncIterator[Story]:
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        yield await two_days_in_may()
    finally:
        await db.disconnect()


def may(first: int = 4, last: int = 5, **filters) -> ReportRequest:
    return ReportRequest(date(2026, 5, first), date(2026, 5, last), KYIV, **filters)


async def test_two_days_add_up_to_the_hand_worked_figures(story: Story) -> None:
    report = await build(may())
    totals = report.totals
    # A, B (00:30 on 4 May in Kyiv is still 3 May in UTC), C, D; not E (3 May, 23:30).
    assert (totals.created, totals.closed, totals.missed) == (4, 3, 1)
    # A 5 min, C 15 min (from the first message, whoever had it), D 2 min.
    assert totals.reaction == pytest.approx((300 + 900 + 120) / 3)
    # A 09:01 -> 09:31; C 12:00 -> 13:40 less the hour snoozed. B was never assigned.
    assert totals.handling == pytest.approx((1800 + 2400) / 2)
    assert totals.csat == pytest.approx(4.0)
    assert report.csat == {5: 1, 3: 1}


async def test_each_day_has_its_own_point(story: Story) -> None:
    report = await build(may())
    assert [point.label for point in report.series] == ["2026-05-04", "2026-05-05"]
    fourth, fifth = (point.figures for point in report.series)
    assert (fourth.created, fourth.closed, fourth.missed) == (2, 2, 1)
    assert (fourth.reaction, fourth.handling) == (pytest.approx(300), pytest.approx(1800))
    assert (fifth.created, fifth.closed, fifth.missed) == (2, 1, 0)
    assert (fifth.reaction, fifth.handling) == (pytest.approx(510), pytest.approx(2400))


async def test_groupings_cut_the_period_in_the_report_time_zone(story: Story) -> None:
    hours = await build(may(4, 4, grouping="hour"))
    assert len(hours.series) == 24
    busy = {point.label: point.figures.created for point in hours.series if point.figures.created}
    assert busy == {"2026-05-04 00:00": 1, "2026-05-04 09:00": 1}
    weeks = await build(may(1, 10, grouping="week"))
    assert [(p.label, p.figures.created) for p in weeks.series] == [
        ("2026-04-27", 1),  # E, Sunday 3 May
        ("2026-05-04", 4),
    ]
    months = await build(may(1, 31, grouping="month"))
    assert [(p.label, p.figures.created) for p in months.series] == [("2026-05-01", 5)]


async def test_load_per_operator_counts_the_last_assignee(story: Story) -> None:
    loads = {load.name or "nobody": load.figures for load in (await build(may())).operators}
    assert {name: f.created for name, f in loads.items()} == {"Olga": 2, "Petro": 1, "nobody": 1}
    assert loads["Olga"].closed == 1 and loads["Petro"].handling == pytest.approx(2400)


@pytest.mark.parametrize(
    ("filters", "created"),
    [
        ({"line_ids": "sales"}, 1),
        ({"operator_ids": "petro"}, 1),
        ({"channels": ("webchat",)}, 1),
        ({"entry_point_ids": "webchat"}, 1),
        ({"topics": ("Billing", "Delivery")}, 2),
        ({"statuses": ("open",)}, 1),
        ({"results": ("spam",)}, 1),
    ],
)
async def test_each_filter_narrows_the_figures(story: Story, filters, created: int) -> None:
    named = {
        "sales": (story.sales.id,),
        "petro": (story.petro.id,),
        "webchat": (story.c.entry_point_id,),  # type: ignore[attr-defined]
    }
    chosen = {key: named.get(value, value) for key, value in filters.items()}
    assert (await build(may(**chosen))).totals.created == created


async def test_a_supervisor_or_an_operator_sees_only_their_part(story: Story) -> None:
    lines = await build(may(scope=Scope(line_ids=frozenset({story.default.id}))))
    assert lines.totals.created == 3
    own = await build(may(scope=Scope(operator_id=story.olga.id)))
    assert own.totals.created == 2
    nothing = await build(may(scope=Scope(line_ids=frozenset())))
    assert nothing.totals.created == 0 and nothing.totals.reaction is None


async def test_the_table_lists_the_same_conversations_newest_first(story: Story) -> None:
    first = await rows.page(may(), 1, 2)
    assert [row.client for row in first] == ["Dana", "Boris"]
    boris = first[1]
    assert (boris.channel, boris.operator, boris.line, boris.topic) == (
        "webchat",
        "Petro",
        "Default",
        "Billing",
    )
    assert (boris.reaction, boris.handling, boris.csat) == (
        pytest.approx(900),
        pytest.approx(2400),
        3,
    )
    assert boris.created_at.astimezone(KYIV).strftime("%d %H:%M") == "05 12:00"
    second = await rows.page(may(), 2, 2)
    assert [(row.client, row.handling, row.result) for row in second] == [
        ("Anna", None, "spam"),
        ("Ivan", pytest.approx(1800), "solved"),
    ]
    chunked = [[row.number for row in chunk] async for chunk in rows.chunks(may(), 3)]
    assert chunked == [[story.d.id, story.c.id, story.b.id], [story.a.id]]


@pytest.mark.parametrize(
    ("first", "last", "grouping", "said"),
    [
        (date(2026, 5, 5), date(2026, 5, 4), "day", "ends (2026-05-04) before it starts"),
        (date(2016, 1, 1), date(2026, 1, 1), "day", "is 3654 days long"),
        (date(2026, 1, 1), date(2026, 3, 1), "hour", "Grouping by hour covers at most 31"),
        (date(2026, 1, 1), date(2026, 1, 2), "decade", "Group by hour, day, week or month"),
        (date(1, 1, 1), date(1, 1, 1), "day", "0001-01-01 is out of the years a report covers"),
    ],
)
def test_a_request_the_report_cannot_answer_is_refused_in_words(
    first: date, last: date, grouping: str, said: str
) -> None:
    with pytest.raises(ReportRefused) as refused:
        ReportRequest(first, last, KYIV, grouping=grouping)
    text = refused.value.text
    assert said in text.msgid.format(**text.args)


@pytest.mark.parametrize(
    ("by", "descending", "clients"),
    [
        # Empty values last either way; ties (none here) and empties by number.
        ("handling", False, ["Ivan", "Boris", "Anna", "Dana"]),
        ("handling", True, ["Boris", "Ivan", "Dana", "Anna"]),
        ("operator", False, ["Ivan", "Dana", "Boris", "Anna"]),
        ("client", False, ["Anna", "Boris", "Dana", "Ivan"]),
        ("number", False, ["Ivan", "Anna", "Boris", "Dana"]),
    ],
)
async def test_the_table_sorts_by_a_column_either_way(
    story: Story, by: str, descending: bool, clients: list[str]
) -> None:
    order = rows.Order(by, descending)
    found = await rows.page(may(), 1, 3, order) + await rows.page(may(), 2, 3, order)
    assert [row.client for row in found] == clients


def test_the_table_sorts_only_by_its_own_columns() -> None:
    with pytest.raises(ValueError):
        rows.Order("c.id; DROP TABLE conversation")
