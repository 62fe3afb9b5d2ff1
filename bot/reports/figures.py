"""The report's figures: totals, one point per hour / day / week / month, CSAT, and the
breakdowns per operator, channel and entry point.

One statement adds up the picked conversations by each grouping at once (their timings are
computed once for all of them): each quarter of an hour (in UTC), folded here into the
report's own periods in its time zone — sums and counts add up, so the fold is exact, and it
touches at most a year of quarter-hours, never a row — and each assignee, channel, entry
point and CSAT score."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.reports import open_hours, sql
from bot.reports.request import ReportRequest
from storage.models import EntryPoint, Operator


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
    reply_sum: float = 0.0
    reply_count: int = 0
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
        self.reply_sum += float(row["reply_sum"] or 0)
        self.reply_count += int(row["reply_count"] or 0)
        self.csat_sum += int(row["csat_sum"] or 0)
        self.csat_count += int(row["csat_count"] or 0)

    @property
    def reaction(self) -> float | None:
        return self.reaction_sum / self.reaction_count if self.reaction_count else None

    @property
    def handling(self) -> float | None:
        return self.handling_sum / self.handling_count if self.handling_count else None

    @property
    def reply(self) -> float | None:
        """The average wait for an answer after the first one (over waits, not conversations)."""
        return self.reply_sum / self.reply_count if self.reply_count else None

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
class Share:
    """One operator's, channel's or entry point's part of the report."""

    key: int | str | None  # None: the conversations nobody was assigned
    name: str
    figures: Figures


@dataclass
class Report:
    request: ReportRequest
    totals: Figures
    series: list[Point]
    csat: dict[int, int]  # score -> how many ratings
    operators: list[Share] = field(default_factory=list)
    channels: list[Share] = field(default_factory=list)
    entry_points: list[Share] = field(default_factory=list)


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


GROUPINGS = ("bucket", "assignee_id", "channel", "entry_point_id", "csat_score")


async def build(request: ReportRequest) -> Report:
    _, dialect = sql.connection()
    where = sql.conditions(request, dialect)
    hours = await open_hours.of_report(request)
    head = sql.timed(dialect, where, hours)
    grouped = " UNION ALL ".join(
        f"SELECT '{name}' AS grouped_by, CAST({name} AS TEXT) AS grouped_value, {sql.FIGURES}"
        f" FROM timed GROUP BY {name}"
        for name in GROUPINGS
    )
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in GROUPINGS}
    for row in await sql.rows_of(f"{head} {grouped}", [*hours.params, *where.params]):
        found[str(row["grouped_by"])].append(row)
    by_period = {start: Figures() for start in periods(request)}
    totals = Figures()
    for row in found["bucket"]:
        moment = datetime.fromtimestamp(int(row["grouped_value"]) * sql.BUCKET_SECONDS, UTC)
        by_period.setdefault(period_of(moment, request), Figures()).add(row)
        totals.add(row)
    scores = {
        int(row["grouped_value"]): int(row["created"])
        for row in found["csat_score"]
        if row["grouped_value"] is not None
    }
    channels = [
        Share(row["grouped_value"], str(row["grouped_value"]), _figures(row))
        for row in found["channel"]
    ]
    return Report(
        request,
        totals,
        [Point(start, figures) for start, figures in sorted(by_period.items())],
        scores,
        operators=await _named(found["assignee_id"], Operator),
        channels=_sorted(channels),
        entry_points=await _named(found["entry_point_id"], EntryPoint),
    )


def _figures(row: dict[str, Any]) -> Figures:
    figures = Figures()
    figures.add(row)
    return figures


async def _named(
    rows: list[dict[str, Any]], model: type[Operator] | type[EntryPoint]
) -> list[Share]:
    """Shares keyed by a row id, with the names of those rows (a handful: one query)."""
    keys = [None if row["grouped_value"] is None else int(row["grouped_value"]) for row in rows]
    ids = [key for key in keys if key is not None]
    names = dict(await model.filter(id__in=ids).values_list("id", "name")) if ids else {}
    return _sorted(
        [
            Share(key, "" if key is None else str(names.get(key, "")), _figures(row))
            for key, row in zip(keys, rows, strict=True)
        ]
    )


def _sorted(shares: list[Share]) -> list[Share]:
    """The busiest first; the unassigned last."""
    return sorted(shares, key=lambda share: (share.key is None, -share.figures.created, share.name))
