"""The report's figures: totals, one point per hour / day / week / month, CSAT and operators.

SQL adds up each quarter of an hour (in UTC); those sums are folded into the report's own
periods in its time zone here. Sums and counts add up, so the fold is exact, and it touches
at most a year of quarter-hours, never a row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.reports import open_hours, sql
from bot.reports.request import ReportRequest
from storage.models import Operator


@dataclass
class Figures:
    """What a set of conversations adds up to; averages in seconds, None when nothing counts."""

    created: int = 0
    closed: int = 0
    missed: int = 0
    reaction_sum: float = 0.0
    reaction_count: int = 0
    handling_sum: float = 0.0
    handling_count: int = 0
    csat_sum: int = 0
    csat_count: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.created += int(row["created"] or 0)
        self.closed += int(row["closed"] or 0)
        self.missed += int(row["missed"] or 0)
        self.reaction_sum += float(row["reaction_sum"] or 0)
        self.reaction_count += int(row["reaction_count"] or 0)
        self.handling_sum += float(row["handling_sum"] or 0)
        self.handling_count += int(row["handling_count"] or 0)
        self.csat_sum += int(row["csat_sum"] or 0)
        self.csat_count += int(row["csat_count"] or 0)

    @property
    def reaction(self) -> float | None:
        return self.reaction_sum / self.reaction_count if self.reaction_count else None

    @property
    def handling(self) -> float | None:
        return self.handling_sum / self.handling_count if self.handling_count else None

    @property
    def csat(self) -> float | None:
        return self.csat_sum / self.csat_count if self.csat_count else None


def clock_time(seconds: float | None) -> str:
    """`H:MM:SS`, the same in every language; a dash when there is nothing to show."""
    if seconds is None:
        return "—"
    whole = max(0, round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@dataclass
class Point:
    start: date | datetime  # the period's first day, or its first hour (local, naive)
    figures: Figures

    @property
    def label(self) -> str:
        if isinstance(self.start, datetime):
            return self.start.strftime("%Y-%m-%d %H:00")
        return self.start.isoformat()


@dataclass
class OperatorLoad:
    operator_id: int | None  # None: conversations nobody was assigned
    name: str
    figures: Figures


@dataclass
class Report:
    request: ReportRequest
    totals: Figures
    series: list[Point]
    csat: dict[int, int]  # score -> how many ratings
    operators: list[OperatorLoad] = field(default_factory=list)


def period_of(moment: datetime, request: ReportRequest) -> date | datetime:
    local = moment.astimezone(request.zone)
    if request.grouping == "hour":
        return local.replace(minute=0, second=0, microsecond=0, tzinfo=None)
    day = local.date()
    if request.grouping == "week":
        return day - timedelta(days=day.weekday())
    if request.grouping == "month":
        return day.replace(day=1)
    return day


def periods(request: ReportRequest) -> list[date | datetime]:
    """Every period of the report, empty ones too, in order."""
    seen: dict[date | datetime, None] = {}
    moment = request.start
    while moment < request.end:
        seen[period_of(moment, request)] = None
        moment += timedelta(hours=1)
    return list(seen)


async def build(request: ReportRequest) -> Report:
    _, dialect = sql.connection()
    where = sql.conditions(request, dialect)
    hours = await open_hours.of_report(request)
    head = sql.timed(dialect, where, hours)
    params = [*hours.params, *where.params]
    buckets = await sql.rows_of(
        f"{head} SELECT bucket, {sql.FIGURES} FROM timed GROUP BY bucket", params
    )
    by_period = {start: Figures() for start in periods(request)}
    totals = Figures()
    for row in buckets:
        moment = datetime.fromtimestamp(int(row["bucket"]) * sql.BUCKET_SECONDS, UTC)
        by_period.setdefault(period_of(moment, request), Figures()).add(row)
        totals.add(row)
    scores = await sql.rows_of(
        f"{head} SELECT csat_score AS score, COUNT(*) AS n FROM timed "
        "WHERE csat_score IS NOT NULL GROUP BY csat_score",
        params,
    )
    return Report(
        request,
        totals,
        [Point(start, figures) for start, figures in sorted(by_period.items())],
        {int(row["score"]): int(row["n"]) for row in scores},
        await _operators(head, params),
    )


async def _operators(head: str, params: list[Any]) -> list[OperatorLoad]:
    grouped = await sql.rows_of(
        f"{head} SELECT assignee_id, {sql.FIGURES} FROM timed GROUP BY assignee_id", params
    )
    ids = [row["assignee_id"] for row in grouped if row["assignee_id"] is not None]
    names = dict(await Operator.filter(id__in=ids).values_list("id", "name")) if ids else {}
    loads = []
    for row in grouped:
        figures = Figures()
        figures.add(row)
        operator_id = row["assignee_id"]
        loads.append(OperatorLoad(operator_id, str(names.get(operator_id, "")), figures))
    loads.sort(key=lambda load: (load.operator_id is None, -load.figures.created, load.name))
    return loads
