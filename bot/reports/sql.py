"""The report's SQL, written once for SQLite and PostgreSQL: the few expressions that differ
(seconds since the epoch, a placeholder) come from the connection's dialect.

The filtered conversations are one common table expression (`picked`); the timings of each
(`timed`) are computed from it in SQL — the first assignment and the paused time by
per-conversation lookups in the audit trail, the reply waits by a window over each picked
conversation's own messages, the reaction and reply times within the line's business hours by
lookups in a calendar (bot/reports/open_hours.py) — so that totals, series, breakdowns and
rows all read the same definitions and no row is added up in Python."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from bot.reports.request import ReportRequest
from storage.sqlite_in_loop import off_loop

if TYPE_CHECKING:
    from bot.reports.open_hours import OpenDays

BUCKET_SECONDS = 900  # a quarter of an hour: every time zone's offset is a multiple of it


@dataclass
class Dialect:
    name: str

    def seconds(self, column: str) -> str:
        """A timestamp as seconds since the epoch, with fractions."""
        if self.name == "sqlite":
            return f"((julianday({column}) - 2440587.5) * 86400.0)"
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS DOUBLE PRECISION)"

    def bucket(self, column: str, seconds: int = BUCKET_SECONDS) -> str:
        """The quarter of an hour (or the `seconds` long stretch; in UTC) a timestamp falls
        in, counted from the epoch."""
        if self.name == "sqlite":
            return f"(CAST(strftime('%s', {column}) AS INTEGER) / {seconds})"
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column}) / {seconds}) AS BIGINT)"

    def least(self, first: str, second: str) -> str:
        """The smaller of two values that are not NULL."""
        return f"MIN({first}, {second})" if self.name == "sqlite" else f"LEAST({first}, {second})"

    def clamp(self, value: str, most: str) -> str:
        """`value` held between 0 and `most`."""
        if self.name == "sqlite":
            return f"MAX(0, MIN({value}, {most}))"
        return f"GREATEST(0, LEAST({value}, {most}))"

    def integers(self, rows: Sequence[Sequence[int]]) -> tuple[str, list[Any]]:
        """A table of integers as a query and its parameters. SQLite gets them written out
        (VALUES), which its planner counts and joins by an automatic index; PostgreSQL gets
        one JSON parameter, since asyncpg keeps no prepared statement over 15 KiB and a long
        list would be parsed and planned again for every chunk of an export."""
        if self.name == "sqlite":
            values = ", ".join(f"({', '.join(str(int(n)) for n in row)})" for row in rows)
            return f"VALUES {values}", []
        columns = ", ".join(f"CAST(item ->> {n} AS BIGINT)" for n in range(len(rows[0])))
        query = f"SELECT {columns} FROM jsonb_array_elements(CAST(? AS JSONB)) AS r(item)"
        return query, [json.dumps(rows, separators=(",", ":"))]

    def moment(self, value: datetime) -> Any:
        """A datetime as the column holds it: tortoise stores ISO text in SQLite."""
        return value.astimezone(UTC).isoformat(" ") if self.name == "sqlite" else value

    def placeholders(self, sql: str) -> str:
        if self.name == "sqlite":
            return sql
        parts = sql.split("?")
        return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))


def connection() -> tuple[BaseDBAsyncClient, Dialect]:
    db = connections.get("default")
    return db, Dialect(db.capabilities.dialect)


@dataclass
class Where:
    """Conditions joined by AND, with their parameters in order."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, *params: Any) -> None:
        self.parts.append(condition)
        self.params.extend(params)

    def any_of(self, column: str, values: Sequence[Any]) -> None:
        if values:
            self.add(f"{column} IN ({', '.join('?' * len(values))})", *values)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) or "1 = 1"


def conditions(request: ReportRequest, dialect: Dialect) -> Where:
    where = Where()
    where.add("c.created_at >= ?", dialect.moment(request.start))
    where.add("c.created_at < ?", dialect.moment(request.end))
    scope = request.scope
    if scope.line_ids is not None:
        if not scope.line_ids:
            where.add("1 = 0")
        where.any_of("c.line_id", sorted(scope.line_ids))
    if scope.operator_id is not None:
        where.add("c.assignee_id = ?", scope.operator_id)
    where.any_of("c.line_id", request.line_ids)
    where.any_of("c.assignee_id", request.operator_ids)
    where.any_of("i.channel", request.channels)
    where.any_of("c.entry_point_id", request.entry_point_ids)
    where.any_of("c.topic", request.topics)
    where.any_of("c.status", request.statuses)
    where.any_of("c.result", request.results)
    return where


def timed(dialect: Dialect, where: Where, hours: OpenDays, page: str = "") -> str:
    """`WITH … timed`: each picked conversation with its bucket, channel, entry point,
    reaction, handling and reply seconds; `hours` is the calendar of the lines with business
    hours, whose reaction and reply times count their open time only. Its parameters come
    first: `hours.params`, then `where.params`. `page` (ORDER BY … LIMIT …) narrows `picked`
    first, so that a page of rows computes the timings of that page only."""
    s = dialect.seconds
    paused = PAUSED.format(until=s("s.next_at"), since=s("s.created_at"))
    answered = s("p.first_response_at")
    started = dialect.least(f"COALESCE({s(f'({ASSIGNED})')}, {answered})", answered)
    waited = hours.between(dialect, "w.created_at", "w.answered_at")
    joins = hours.joins(dialect, "p.line_id", "w.created_at", "w.answered_at")
    return f"""
WITH {hours.cte()}picked AS (
  SELECT c.id, c.line_id, c.created_at, c.first_response_at, c.closed_at, c.status,
         c.assignee_id, c.csat_score, c.entry_point_id, i.channel
  FROM conversation c JOIN identity i ON i.id = c.identity_id
  WHERE {where.sql} {page}
), timed AS (
  SELECT p.id, p.created_at, p.status, p.assignee_id, p.csat_score, p.entry_point_id,
         p.channel, {dialect.bucket("p.created_at")} AS bucket,
         CASE WHEN p.status = 'closed' AND p.first_response_at IS NULL THEN 1 ELSE 0 END
           AS missed,
         CASE WHEN p.first_response_at IS NOT NULL
           THEN {hours.between(dialect, "p.created_at", "p.first_response_at")} END AS reaction,
         CASE WHEN p.status = 'closed' AND p.closed_at IS NOT NULL
                   AND p.first_response_at IS NOT NULL
           THEN {s("p.closed_at")} - {started} - ({paused}) END AS handling,
         ({WAITS.format(value=f"SUM({waited})", joins=joins)}) AS reply_sum,
         ({WAITS.format(value="COUNT(*)", joins="")}) AS reply_count
  FROM picked p{hours.joins(dialect, "p.line_id", "p.created_at", "p.first_response_at")}
)"""


# Per conversation, by the message (conversation_id) index, like the audit lookups below:
# the waits after the first answer — each customer message that follows an operator's answer
# (the first of a run of them) to the next answer. Notes and system messages are not part of
# the exchange. A join of all picked conversations' waits was planned as a loop over them on
# a PostgreSQL without statistics, and took 40 s for a filtered month.
WAITS = """SELECT {value} FROM (
    SELECT m.direction, m.created_at,
           LAG(m.direction) OVER (ORDER BY m.created_at, m.id) AS prior_direction,
           MIN(CASE WHEN m.direction = 'out' THEN m.created_at END) OVER (
             ORDER BY m.created_at, m.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
           ) AS answered_at
    FROM message m WHERE m.conversation_id = p.id AND m.direction IN ('in', 'out')
  ) w{joins}
  WHERE w.direction = 'in' AND w.prior_direction = 'out' AND w.answered_at IS NOT NULL"""
# Per conversation, looked up by the (conversation_id, action) index: the cost follows the
# number of conversations picked, whatever the planner believes about the tables.
ASSIGNED = """SELECT MIN(a.created_at) FROM audit_entry a
  WHERE a.conversation_id = p.id AND a.action = 'assignee' AND a.new_value IS NOT NULL"""
# Snoozed stretches, and closed ones that a reopen ended: each from its status entry to the
# next one. The last close has no next entry and adds nothing.
PAUSED = """SELECT COALESCE(SUM({until} - {since}), 0) FROM (
    SELECT a.new_value, a.created_at,
           LEAD(a.created_at) OVER (ORDER BY a.created_at, a.id) AS next_at
    FROM audit_entry a WHERE a.conversation_id = p.id AND a.action = 'status'
  ) s WHERE s.new_value IN ('snoozed', 'closed') AND s.next_at IS NOT NULL"""

FIGURES = """
  COUNT(*) AS created,
  SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS closed,
  SUM(missed) AS missed,
  SUM(reaction) AS reaction_sum, COUNT(reaction) AS reaction_count,
  SUM(handling) AS handling_sum, COUNT(handling) AS handling_count,
  SUM(reply_sum) AS reply_sum, SUM(reply_count) AS reply_count,
  SUM(csat_score) AS csat_sum, COUNT(csat_score) AS csat_count"""


async def rows_of(sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """A report's query may scan a year of conversations: on SQLite it runs in a worker
    thread, so that the desk keeps relaying meanwhile."""
    db, dialect = connection()
    with off_loop():
        return list(await db.execute_query_dict(dialect.placeholders(sql), list(params)))
