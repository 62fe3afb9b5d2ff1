"""The report's table: one row per conversation, by pages for the panel (newest first, or
sorted by a column of `SORTS` either way, ties broken by the number) or in chunks for an
export (newest first), with the same timings as the figures (bot/reports/sql.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.reports import open_hours, sql
from bot.reports.request import ReportRequest

CHUNK = 500

_COLUMNS = """
SELECT t.id, c.created_at, c.status, t.reaction, t.handling, t.reply_sum, t.reply_count,
       c.csat_score,
       c.contact_id, ct.name AS contact_name, ct.phone AS phone, i.channel,
       i.display_name, i.username, ep.name AS entry_point, l.name AS line,
       o.name AS operator, c.topic, c.result, c.comment
FROM timed t
JOIN conversation c ON c.id = t.id
JOIN contact ct ON ct.id = c.contact_id
JOIN identity i ON i.id = c.identity_id
JOIN entry_point ep ON ep.id = c.entry_point_id
JOIN line l ON l.id = c.line_id
LEFT JOIN operator o ON o.id = c.assignee_id"""
NEWEST_FIRST = " ORDER BY t.id DESC"

# What the table may be sorted by: a column's name -> its SQL, never the asker's words.
SORTS = {
    "number": "t.id",
    "created": "c.created_at",
    "channel": "i.channel",
    "client": "COALESCE(NULLIF(ct.name, ''), NULLIF(i.display_name, ''), i.username, ct.phone)",
    "entry_point": "ep.name",
    "reaction": "t.reaction",
    "handling": "t.handling",
    "reply": "t.reply_sum / NULLIF(t.reply_count, 0)",
    "operator": "o.name",
    "line": "l.name",
    "topic": "c.topic",
    "status": "c.status",
    "result": "c.result",
    "comment": "c.comment",
    "csat": "c.csat_score",
}


@dataclass(frozen=True)
class Order:
    """A sort of the table: a key of `SORTS`, and which way."""

    by: str = "number"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.by not in SORTS:
            raise ValueError(f"no sort {self.by!r}")

    @property
    def newest_first(self) -> bool:
        return self.by == "number" and self.descending

    def sql(self) -> str:
        """Empty values last either way (SQLite and PostgreSQL differ on NULLs otherwise),
        and the number after the column, so that pages never share or skip a row."""
        way = "DESC" if self.descending else "ASC"
        column = SORTS[self.by]
        return f" ORDER BY CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, {column} {way}, t.id {way}"


@dataclass(frozen=True)
class Row:
    number: int
    channel: str
    contact_id: int
    client: str  # the contact's name, else the account's name, phone, or "" for a guest
    entry_point: str
    created_at: datetime
    reaction: float | None  # seconds
    handling: float | None
    reply: float | None  # the average wait after the first answer
    operator: str
    line: str
    topic: str
    status: str
    result: str
    comment: str
    csat: int | None


def _row(found: dict[str, Any]) -> Row:
    client = (
        found["contact_name"]
        or found["display_name"]
        or (f"@{found['username']}" if found["username"] else "")
        or found["phone"]
        or ""
    )
    return Row(
        number=int(found["id"]),
        channel=str(found["channel"]),
        contact_id=int(found["contact_id"]),
        client=str(client),
        entry_point=str(found["entry_point"]),
        created_at=_moment(found["created_at"]),
        reaction=None if found["reaction"] is None else float(found["reaction"]),
        handling=None if found["handling"] is None else float(found["handling"]),
        reply=float(found["reply_sum"]) / int(found["reply_count"])
        if found["reply_count"]
        else None,
        operator=str(found["operator"] or ""),
        line=str(found["line"]),
        topic=str(found["topic"] or ""),
        status=str(found["status"]),
        result=str(found["result"] or ""),
        comment=str(found["comment"] or ""),
        csat=None if found["csat_score"] is None else int(found["csat_score"]),
    )


def _moment(value: Any) -> datetime:
    """SQLite hands back the stored text, PostgreSQL a datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def page(request: ReportRequest, number: int, size: int, order: Order = Order()) -> list[Row]:
    """Rows of page `number` (from 1). Newest first, only that page's timings are computed;
    sorted by another column, every picked conversation's are, as for the figures."""
    _, dialect = sql.connection()
    where = sql.conditions(request, dialect)
    hours = await open_hours.of_report(request)
    offset = (max(number, 1) - 1) * size
    if order.newest_first:
        head = sql.timed(dialect, where, hours, "ORDER BY c.id DESC LIMIT ? OFFSET ?")
        params = [*hours.params, *where.params, size, offset]
        found = await sql.rows_of(head + _COLUMNS + NEWEST_FIRST, params)
    else:
        head = sql.timed(dialect, where, hours)
        params = [*hours.params, *where.params, size, offset]
        found = await sql.rows_of(head + _COLUMNS + order.sql() + " LIMIT ? OFFSET ?", params)
    return [_row(item) for item in found]


async def chunks(request: ReportRequest, size: int = CHUNK) -> AsyncIterator[list[Row]]:
    """Every row, `size` at a time, each chunk read after the last was used: an export of a
    year holds one chunk in memory, never the whole table."""
    _, dialect = sql.connection()
    hours = await open_hours.of_report(request)
    before: int | None = None
    while True:
        where = sql.conditions(request, dialect)
        if before is not None:
            where.add("c.id < ?", before)
        head = sql.timed(dialect, where, hours, "ORDER BY c.id DESC LIMIT ?")
        found = await sql.rows_of(
            head + _COLUMNS + NEWEST_FIRST, [*hours.params, *where.params, size]
        )
        if not found:
            return
        rows = [_row(item) for item in found]
        yield rows
        if len(rows) < size:
            return
        before = rows[-1].number
