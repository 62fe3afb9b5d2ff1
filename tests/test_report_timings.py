"""The report's harder timings, worked out by hand: replies after the first answer (a burst
of customer texts waits once, notes do not answer, business hours across a weekend), the
handling time of a conversation answered but never assigned, of a reopened one and of a
missed one an operator closed, where a conversation moved to another line counts, and the
breakdowns per channel and entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from bot.reports import rows
from bot.reports.figures import build
from bot.reports.request import ReportRequest, Scope
from storage import db
from storage.models import AuditEntry, Conversation, Line, Operator
from tests.fakes.report_data import KYIV, History, conversation, kyiv, line, operator

pytestmark = pytest.mark.timeout(60)
WEEKDAYS = {
    "timezone": "Europe/Kyiv",
    "days": {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")},
}


@dataclass
class Wednesday:
    """Wednesday 6 May 2026 in Kyiv, on lines without business hours:

    R  Roman,  10:00, Olga; in 10:00, out 10:02, in 10:10, in 10:11, note 10:15, out 10:20,
               in 10:30, out 10:35, in 10:50 (not answered yet); still open
    H  Hanna,  12:00, nobody assigned, answered 12:05, closed 12:35 by Petro (assigned by it)
    G  Hryts,  14:00 webchat, Olga 14:00, answered 14:01, closed 14:30, reopened 15:30,
               closed 15:45
    M  Marta,  16:00, closed 16:10 by Petro without an answer (assigned by the close): missed
    T  Taras,  17:00 on Default, Olga 17:00, answered 17:02, moved to Sales 17:10, closed 17:30
    """

    default: Line
    sales: Line
    olga: Operator
    r: Conversation
    h: Conversation
    g: Conversation
    m: Conversation
    t: Conversation


@pytest.fixture
async def wednesday(database_url: str) -> AsyncIterator[Wednesday]:
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        yield await _wednesday()
    finally:
        await db.disconnect()


async def _wednesday() -> Wednesday:
    default, sales = await line("default", "Default"), await line("sales", "Sales")
    olga, petro = await operator("Olga", 1001), await operator("Petro", 1002)
    said = (
        ("in", 10, 0),
        ("out", 10, 2),
        ("in", 10, 10),
        ("in", 10, 11),
        ("note", 10, 15),
        ("out", 10, 20),
        ("in", 10, 30),
        ("out", 10, 35),
        ("in", 10, 50),
    )
    r = await conversation(
        default,
        "Roman",
        History(
            kyiv(6, 10),
            assigned=((olga, kyiv(6, 10)),),
            answered=kyiv(6, 10, 2),
            messages=tuple((way, kyiv(6, hour, minute)) for way, hour, minute in said),
        ),
    )
    h = await conversation(
        default,
        "Hanna",
        History(
            kyiv(6, 12),
            assigned=((petro, kyiv(6, 12, 35)),),
            answered=kyiv(6, 12, 5),
            closed=kyiv(6, 12, 35),
            result="solved",
        ),
    )
    g = await conversation(
        default,
        "Hryts",
        History(
            kyiv(6, 14),
            assigned=((olga, kyiv(6, 14)),),
            answered=kyiv(6, 14, 1),
            reopened=((kyiv(6, 14, 30), kyiv(6, 15, 30)),),
            closed=kyiv(6, 15, 45),
            result="solved",
            channel="webchat",
        ),
    )
    m = await conversation(
        default,
        "Marta",
        History(kyiv(6, 16), assigned=((petro, kyiv(6, 16, 10)),), closed=kyiv(6, 16, 10)),
    )
    t = await conversation(
        default,
        "Taras",
        History(
            kyiv(6, 17),
            assigned=((olga, kyiv(6, 17)),),
            answered=kyiv(6, 17, 2),
            closed=kyiv(6, 17, 30),
            result="solved",
        ),
    )
    await Conversation.filter(id=t.id).update(line_id=sales.id)
    await AuditEntry.create(
        action="line",
        conversation=t,
        actor_name="Olga",
        old_value="Default",
        new_value="Sales",
        created_at=kyiv(6, 17, 10),
    )
    return Wednesday(default, sales, olga, r, h, g, m, t)


def on(first: int, last: int | None = None, **filters) -> ReportRequest:
    return ReportRequest(date(2026, 5, first), date(2026, 5, last or first), KYIV, **filters)


async def test_the_wednesday_adds_up_to_the_hand_worked_figures(wednesday: Wednesday) -> None:
    totals = (await build(on(6))).totals
    assert (totals.created, totals.closed, totals.missed) == (5, 4, 1)
    # R 2 min, H 5 min, G 1 min, T 2 min; M was never answered.
    assert totals.reaction == pytest.approx((120 + 300 + 60 + 120) / 4)
    # H from its first answer 12:05 to 12:35 (nobody was assigned before the close);
    # G 14:00 -> 15:45 less the hour it lay closed; T 17:00 -> 17:30; M missed: none.
    assert totals.handling == pytest.approx((1800 + 6300 - 3600 + 1800) / 3)
    # R: 10:10 (the burst's first text) -> 10:20, and 10:30 -> 10:35; 10:50 waits still.
    assert (totals.reply_count, totals.reply) == (2, pytest.approx((600 + 300) / 2))


async def test_the_table_shows_each_conversation_s_own_reply_time(wednesday: Wednesday) -> None:
    table = {row.client: row for row in await rows.page(on(6), 1, 10)}
    assert table["Roman"].reply == pytest.approx(450)
    assert table["Roman"].handling is None  # still open
    assert (table["Hanna"].reply, table["Hanna"].handling) == (None, pytest.approx(1800))
    assert (table["Marta"].handling, table["Marta"].operator) == (None, "Petro")


async def test_a_conversation_moved_to_another_line_counts_in_the_line_it_is_in(
    wednesday: Wednesday,
) -> None:
    sales = await build(on(6, line_ids=(wednesday.sales.id,)))
    assert (sales.totals.created, sales.totals.handling) == (1, pytest.approx(1800))
    default = await build(on(6, line_ids=(wednesday.default.id,)))
    assert default.totals.created == 4
    supervisor = await build(on(6, scope=Scope(line_ids=frozenset({wednesday.default.id}))))
    assert wednesday.t.id not in [row.number for row in await rows.page(supervisor.request, 1, 9)]
    assert supervisor.totals.created == 4
    # Its entry point stays the one the customer wrote to.
    names = {share.name: share.figures.created for share in sales.entry_points}
    assert names == {"Telegram of Default": 1}


async def test_breakdowns_per_channel_and_entry_point(wednesday: Wednesday) -> None:
    report = await build(on(6))
    channels = {share.key: share.figures for share in report.channels}
    assert list(channels) == ["telegram", "webchat"]  # the busiest first
    telegram, webchat = channels["telegram"], channels["webchat"]
    assert (telegram.created, telegram.closed, telegram.missed) == (4, 3, 1)
    assert telegram.handling == pytest.approx(1800)  # H and T
    assert webchat.created == 1
    assert (webchat.handling, webchat.reaction) == (pytest.approx(2700), pytest.approx(60))
    entry_points = {share.name: share.figures.created for share in report.entry_points}
    assert entry_points == {"Telegram of Default": 4, "Webchat of Default": 1}
    operators = {share.name or "nobody": share.figures.created for share in report.operators}
    assert operators == {"Olga": 3, "Petro": 2}


async def test_a_reply_on_a_line_with_hours_counts_open_time_across_the_weekend(
    database_url: str,
) -> None:
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        support = await line("support", "Support", WEEKDAYS)
        said = (("in", 8, 10, 0), ("out", 8, 10, 1), ("in", 8, 17, 50), ("out", 11, 9, 5))
        await conversation(
            support,
            "Sofia",
            History(
                kyiv(8, 10),
                answered=kyiv(8, 10, 1),
                messages=tuple((way, kyiv(day, h, m)) for way, day, h, m in said),
            ),
        )
        totals = (await build(on(8))).totals
        # Friday 17:50 -> 18:00 and Monday 09:00 -> 09:05, not 63 h 15 min of wall clock.
        assert (totals.reaction, totals.reply) == (pytest.approx(60), pytest.approx(900))
        (sofia,) = await rows.page(on(8), 1, 10)
        assert sofia.reply == pytest.approx(900)
    finally:
        await db.disconnect()
