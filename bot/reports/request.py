"""What a report is asked for: a period in the report's time zone, filters, a grouping, and
the scope of whoever asks. Checked here once, refused in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.base.i18n import Text, _

GROUPINGS = ("hour", "day", "week", "month")
MAX_DAYS = 366  # a year: longer periods are refused, not computed for minutes
MAX_HOUR_DAYS = 31  # grouping by hour over a longer period draws thousands of points
# Days far enough from datetime's ends that a time zone and a day more still make a datetime.
FIRST_YEAR, LAST_YEAR = 1900, 9000


class ReportRefused(ValueError):
    """A request the report cannot answer; `text` says why, for the person who asked."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


@dataclass(frozen=True)
class Scope:
    """What the asker may see: admins everything (None), supervisors their lines,
    operators the conversations assigned to them."""

    line_ids: frozenset[int] | None = None
    operator_id: int | None = None


@dataclass(frozen=True)
class ReportRequest:
    first_day: date
    last_day: date  # included
    zone: ZoneInfo
    grouping: str = "day"
    line_ids: tuple[int, ...] = ()
    operator_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    entry_point_ids: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    scope: Scope = Scope()

    def __post_init__(self) -> None:
        for day in (self.first_day, self.last_day):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ReportRefused(
                    Text(
                        _("{day} is out of the years a report covers ({first}–{last})."),
                        day=day.isoformat(),
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                )
        if self.last_day < self.first_day:
            raise ReportRefused(
                Text(
                    _("The period ends ({last}) before it starts ({first}): swap the dates."),
                    first=self.first_day.isoformat(),
                    last=self.last_day.isoformat(),
                )
            )
        days = (self.last_day - self.first_day).days + 1
        if days > MAX_DAYS:
            raise ReportRefused(
                Text(
                    _("The period is {days} days long; a report covers at most {most} days."),
                    days=days,
                    most=MAX_DAYS,
                )
            )
        if self.grouping not in GROUPINGS:
            raise ReportRefused(Text(_("Group by hour, day, week or month.")))
        if self.grouping == "hour" and days > MAX_HOUR_DAYS:
            raise ReportRefused(
                Text(
                    _("Grouping by hour covers at most {most} days: group by day instead."),
                    most=MAX_HOUR_DAYS,
                )
            )

    @property
    def start(self) -> datetime:
        """The period's first moment, in UTC."""
        return datetime.combine(self.first_day, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The moment after the period, in UTC."""
        return datetime.combine(self.last_day + timedelta(1), time(), self.zone).astimezone(UTC)
