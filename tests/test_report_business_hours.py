"""Reaction time within a line's business hours, worked out by hand: Support is open Monday to
Friday 09:00-18:00 in Kyiv, Night has no hours and counts the wall clock as before.

    Fri 8 May 17:30 on Support, answered Mon 11 May 09:15: 30 min on Friday + 15 on Monday
    Fri 8 May 17:30 on Night, answered Mon 11 May 09:15: 63 h 45 min of wall clock
    Tue 5 May 10:00 on Support, answered 10:20 the same day: 20 min
    Wed 6 May 07:00 on Support (closed), answered 08:30 before opening: 0 min
    Fri 27 Mar 17:30 on Support, answered Mon 30 Mar 09:15, over the night (29 Mar) Kyiv
        goes to summer time: still 45 min (the wall clock says 62 h 45 min)
    the same week on a line open 09:00-18:00 in Auckland, whose days straddle UTC midnight
    hours opening at 03:30 on the night summer time skips 03:00-04:00: open from 04:00
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.directory.business_hours import is_open, open_spans
from bot.reports import rows
from bot.reports.figures import build
from bot.reports.request import ReportRequest
from storage import db
from storage.models import Line
from tests.fakes.report_data import KYIV, History, conversation, kyiv, line

pytestmark = pytest.mark.timeout(60)

WEEKDAYS = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}
MINUTE, HOUR = 60, 3600


@dataclass
class Lines:
    support: Line
    night: Line


@pytest.fixture
async def lines(database_url: str) -> AsyncIterator[Lines]:
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        yield Lines(
            await line("support", "Support", {"timezone": "Europe/Kyiv", "days": WEEKDAYS}),
            await line("night", "Night"),
        )
    finally:
        await db.disconnect()


def may(first: int, last: int, **filters) -> ReportRequest:
    return ReportRequest(date(2026, 5, first), date(2026, 5, last), KYIV, **filters)


async def reaction_of(where: Line, created: datetime, answered: datetime) -> float | None:
    """The reaction time the report gives the one conversation of `where` on its day."""
    await conversation(where, "Customer", History(created, answered=answered))
    day = created.astimezone(KYIV).date()
    asked = ReportRequest(day, day, KYIV, line_ids=(where.id,))
    return (await build(asked)).totals.reaction


async def test_a_friday_evening_message_answered_on_monday_counts_open_time(lines: Lines) -> None:
    reaction = await reaction_of(lines.support, kyiv(8, 17, 30), kyiv(11, 9, 15))
    assert reaction == pytest.approx(30 * MINUTE + 15 * MINUTE)


async def test_a_line_without_hours_counts_the_wall_clock(lines: Lines) -> None:
    reaction = await reaction_of(lines.night, kyiv(8, 17, 30), kyiv(11, 9, 15))
    assert reaction == pytest.approx(63 * HOUR + 45 * MINUTE)


async def test_a_message_in_hours_answered_the_same_day(lines: Lines) -> None:
    assert await reaction_of(lines.support, kyiv(5, 10), kyiv(5, 10, 20)) == pytest.approx(
        20 * MINUTE
    )


async def test_a_message_out_of_hours_answered_before_opening_waited_nothing(
    lines: Lines,
) -> None:
    assert await reaction_of(lines.support, kyiv(6, 7), kyiv(6, 8, 30)) == pytest.approx(0)


def kyiv_march(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=KYIV).astimezone(UTC)


async def test_the_move_to_summer_time_over_the_weekend_changes_nothing(lines: Lines) -> None:
    friday, monday = kyiv_march(27, 17, 30), kyiv_march(30, 9, 15)
    assert (monday - friday).total_seconds() == 62 * HOUR + 45 * MINUTE
    assert await reaction_of(lines.support, friday, monday) == pytest.approx(45 * MINUTE)


def test_an_opening_summer_time_skips_is_the_moment_the_clock_jumps() -> None:
    # On 29 March 2026 Kyiv's clocks go from 03:00 straight to 04:00 (01:00 UTC).
    hours = {"timezone": "Europe/Kyiv", "days": {"sun": "03:30-18:00"}}
    [(opens, closes)] = open_spans(hours, date(2026, 3, 29), date(2026, 3, 29))
    assert (opens, closes) == (datetime(2026, 3, 29, 1, tzinfo=UTC), kyiv_march(29, 18))
    assert is_open(hours, opens) and not is_open(hours, opens - timedelta(minutes=1))


async def test_hours_without_a_time_zone_are_read_in_the_report_time_zone(lines: Lines) -> None:
    office = await line("office", "Office", {"days": {"fri": "09:00-18:00"}})
    assert await reaction_of(office, kyiv(8, 17, 30), kyiv(11, 9, 15)) == pytest.approx(30 * MINUTE)


async def test_a_day_across_utc_midnight_is_counted_whole(lines: Lines) -> None:
    # Auckland is UTC+12 in May: its 09:00-18:00 is 21:00-06:00 in UTC.
    auckland = ZoneInfo("Pacific/Auckland")
    hours = {"timezone": auckland.key, "days": WEEKDAYS}
    far = await line("far", "Far", hours)
    friday = datetime(2026, 5, 8, 17, 30, tzinfo=auckland).astimezone(UTC)
    monday = datetime(2026, 5, 11, 9, 15, tzinfo=auckland).astimezone(UTC)
    assert await reaction_of(far, friday, monday) == pytest.approx(45 * MINUTE)


async def test_figures_table_and_export_agree_on_the_week(lines: Lines) -> None:
    weekend = await conversation(
        lines.support, "Fedir", History(kyiv(8, 17, 30), answered=kyiv(11, 9, 15))
    )
    wall = await conversation(
        lines.night, "Halyna", History(kyiv(8, 17, 30), answered=kyiv(11, 9, 15))
    )
    same_day = await conversation(
        lines.support, "Ihor", History(kyiv(5, 10), answered=kyiv(5, 10, 20))
    )
    early = await conversation(lines.support, "Lesia", History(kyiv(6, 7), answered=kyiv(6, 8, 30)))
    unanswered = await conversation(lines.support, "Maksym", History(kyiv(7, 12)))
    expected = {
        weekend.id: 45 * MINUTE,
        wall.id: 63 * HOUR + 45 * MINUTE,
        same_day.id: 20 * MINUTE,
        early.id: 0,
        unanswered.id: None,
    }
    report = await build(may(4, 10))
    # The averages, and the "average wait for an answer" chart drawn from the series.
    assert report.totals.reaction == pytest.approx((45 * MINUTE + 229_500 + 20 * MINUTE) / 4)
    by_day = {point.label: point.figures.reaction for point in report.series}
    assert by_day["2026-05-05"] == pytest.approx(20 * MINUTE)
    assert by_day["2026-05-06"] == pytest.approx(0)
    assert by_day["2026-05-07"] is None
    assert by_day["2026-05-08"] == pytest.approx((45 * MINUTE + 229_500) / 2)
    loads = {load.key: load.figures for load in report.operators}
    assert loads[None].reaction == pytest.approx(report.totals.reaction)
    # The table's column, a page at a time and in the export's chunks.
    table = {row.number: row.reaction for row in await rows.page(may(4, 10), 1, 50)}
    exported = {
        row.number: row.reaction async for chunk in rows.chunks(may(4, 10), 2) for row in chunk
    }
    assert table == exported == pytest.approx(expected)
    only_support = await build(may(4, 10, line_ids=(lines.support.id,)))
    assert only_support.totals.reaction == pytest.approx((45 * MINUTE + 20 * MINUTE) / 3)
