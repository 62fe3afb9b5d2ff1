"""Reaction time within business hours: a calendar of the open time of the report's lines
that have hours, one row per line and UTC day, a table of integers in the report's query
(sql.Dialect.integers, for SQLite and PostgreSQL).

A row holds the seconds the line was open before that day (from the calendar's first day)
and the day's open pieces (start, length). The open seconds up to a moment t of the day are
`opened_before + Σ clamp(t - start, 0, length)`, so the open time between the customer's
first message and the first answer is the difference of two lookups by (line, day): the cost
follows the conversations, not the length of the period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.directory.business_hours import open_spans
from bot.reports import sql
from bot.reports.request import ReportRequest
from storage.models import Line

DAY = 86400

CalendarRow = tuple[int, ...]  # line_id, utc_day, opened_before, start1, length1, start2, …


@dataclass(frozen=True)
class OpenDays:
    """The calendar of a report as SQL; empty when none of its lines has business hours, and
    then every reaction time is wall-clock time."""

    table: str = ""  # the query of the calendar's rows (sql.Dialect.integers)
    params: tuple[Any, ...] = ()
    pieces: int = 0  # open pieces per row: 1, or 2 where a line's day straddles UTC midnight

    def cte(self) -> str:
        """`open_days AS (…),` to open the report's WITH; its parameters are `params`."""
        if not self.table:
            return ""
        pieces = ", ".join(f"start{n}, length{n}" for n in range(1, self.pieces + 1))
        return f"open_days(line_id, utc_day, opened_before, {pieces}) AS ({self.table}),\n"

    def joins(self, dialect: sql.Dialect, line: str, since: str, until: str) -> str:
        """The calendar rows of the `since` and `until` moments' days on `line`, as `asked`
        and `answered`; no rows for a line without hours."""
        if not self.table:
            return ""
        return "".join(
            f"\n  LEFT JOIN open_days {alias} ON {alias}.line_id = {line}"
            f" AND {alias}.utc_day = {dialect.bucket(column, DAY)}"
            for alias, column in (("asked", since), ("answered", until))
        )

    def between(self, dialect: sql.Dialect, since: str, until: str) -> str:
        """Seconds from `since` to `until` (a message to its answer): open seconds for lines
        with hours, wall-clock seconds for the others. Needs `joins` of the same moments."""
        wall = f"{dialect.seconds(until)} - {dialect.seconds(since)}"
        if not self.table:
            return wall
        opened = self._open_until(dialect, "answered", until)
        before = self._open_until(dialect, "asked", since)
        return (
            f"CASE WHEN asked.line_id IS NULL OR answered.line_id IS NULL THEN {wall}"
            f" ELSE {opened} - ({before}) END"
        )

    def _open_until(self, dialect: sql.Dialect, alias: str, column: str) -> str:
        moment = dialect.seconds(column)
        return " + ".join(
            [f"{alias}.opened_before"]
            + [
                dialect.clamp(f"{moment} - {alias}.start{n}", f"{alias}.length{n}")
                for n in range(1, self.pieces + 1)
            ]
        )


async def of_report(request: ReportRequest) -> OpenDays:
    """The calendar of the request's lines with hours, from the period's first day to the
    last operator answer in its conversations (answers may come after the period)."""
    hours = await _hours_of_lines(request)
    if not hours:
        return OpenDays()
    _, dialect = sql.connection()
    where = sql.conditions(request, dialect)
    where.any_of("c.line_id", sorted(hours))
    found = await sql.rows_of(
        f"SELECT MAX({dialect.bucket('c.first_response_at', DAY)}) AS answered,"
        f" MAX({dialect.bucket('m.created_at', DAY)}) AS replied"
        " FROM conversation c JOIN identity i ON i.id = c.identity_id"
        " LEFT JOIN message m ON m.conversation_id = c.id AND m.direction = 'out'"
        f" WHERE {where.sql}",
        where.params,
    )
    first = int(request.start.timestamp()) // DAY
    answers = (int(found[0][key] or 0) for key in ("answered", "replied"))
    last = max(int(request.end.timestamp()) // DAY, *answers)
    zone = request.zone.key or "UTC"
    rows = [
        row
        for line_id in sorted(hours)
        for row in calendar(line_id, hours[line_id], first, last, zone)
    ]
    pieces = max(1, max(len(row) - 3 for row in rows) // 2)
    table, params = dialect.integers([_padded(row, pieces) for row in rows])
    return OpenDays(table, tuple(params), pieces)


async def _hours_of_lines(request: ReportRequest) -> dict[int, dict[str, Any]]:
    """Business hours of the lines the request can reach (few: a desk has a handful)."""
    wanted = set(request.line_ids) if request.line_ids else None
    if request.scope.line_ids is not None:
        wanted = set(request.scope.line_ids) & wanted if wanted else set(request.scope.line_ids)
    found = await Line.all().values_list("id", "business_hours")
    return {
        int(line_id): hours
        for line_id, hours in found
        if hours and (wanted is None or line_id in wanted)
    }


def calendar(
    line_id: int, hours: dict[str, Any], first: int, last: int, default_tz: str
) -> list[CalendarRow]:
    """One row per UTC day from `first` to `last` (days since the epoch), unpadded."""
    since = datetime.fromtimestamp(first * DAY, UTC).date() - timedelta(days=1)
    until = datetime.fromtimestamp(last * DAY, UTC).date() + timedelta(days=1)
    pieces: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for opens, closes in open_spans(hours, since, until, default_tz):
        start, end = int(opens.timestamp()), int(closes.timestamp())
        while start < end:  # cut at UTC midnights, so that a piece lies in one day
            cut = min(end, (start // DAY + 1) * DAY)
            pieces[start // DAY].append((start, cut - start))
            start = cut
    rows: list[CalendarRow] = []
    opened = 0
    for day in range(first, last + 1):
        found = pieces.get(day, [])
        rows.append((line_id, day, opened, *(part for piece in found for part in piece)))
        opened += sum(length for _, length in found)
    return rows


def _padded(row: CalendarRow, pieces: int) -> CalendarRow:
    """Missing pieces as empty ones at the day's start, which add nothing."""
    missing = pieces - (len(row) - 3) // 2
    return row + (row[1] * DAY, 0) * missing
