"""Business hours of a line: `{"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00"}}`.

Hours are checked and normalised once, when an admin sets them (`validate_hours`,
`normalise_hours`), so readers such as `is_open` get the strict `HH:MM-HH:MM` form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.base.i18n import Text, _, english

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYS = ("timezone", "days")

# What a person types: `9:00 - 18:00` is as good as `09:00-18:00`.
TYPED_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
DAY_PROBLEM = "{day}: {problem}"  # a problem with one day's hours
UNKNOWN_ZONE = _("unknown time zone {name!r} (use a name like Europe/Kyiv)")
SHAPE = '{"timezone": "Europe/Kyiv", "days": {"mon": ...}}'


class HoursProblem(ValueError):
    """Hours as typed that cannot be read; `text` says why in the reader's language."""

    def __init__(self, text: Text) -> None:
        super().__init__(english(text))
        self.text = text


def parse_range(text: str) -> tuple[time, time]:
    """`09:00-18:00` -> (09:00, 18:00); ValueError on anything else."""
    start, _sep, end = text.partition("-")
    opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    if closes <= opens:
        raise ValueError(f"{text!r}: the end must be after the start")
    return opens, closes


def is_open(hours: dict[str, Any] | None, at: datetime, default_tz: str = "UTC") -> bool:
    """No hours: always open. A day that is missing or null: closed all day."""
    if not hours:
        return True
    local = at.astimezone(ZoneInfo(hours.get("timezone") or default_tz))
    span = (hours.get("days") or {}).get(DAYS[local.weekday()])
    if not span:
        return False
    opens, closes = parse_range(span)
    return opens <= local.time().replace(tzinfo=None) < closes


def open_spans(
    hours: dict[str, Any], first: date, last: date, default_tz: str = "UTC"
) -> list[tuple[datetime, datetime]]:
    """When a line with hours is open on each of its local days from `first` to `last`, in
    UTC. Each day's opening and closing take that day's own offset, so that summer time
    moves them as it moves the clock on the office wall. (Without hours a line is always
    open: `is_open`; there are no spans to list.)"""
    zone = ZoneInfo(hours.get("timezone") or default_tz)
    days = hours.get("days") or {}
    spans = []
    day = first
    while day <= last:
        span = days.get(DAYS[day.weekday()])
        if span:
            opens, closes = parse_range(span)
            start, end = _first_shown(day, opens, zone), _first_shown(day, closes, zone)
            if end > start:  # a day whose hours a clock change swallows
                spans.append((start, end))
        day += timedelta(days=1)
    return spans


def _first_shown(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first moment (in UTC) the clock of `zone` shows `at` of `day` or later, as
    `is_open` reads it: where the move to summer time skips `at`, the moment it jumps."""
    wanted = datetime.combine(day, at)
    moment = wanted.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == wanted:
        return moment
    moment = wanted.replace(tzinfo=zone, fold=1).astimezone(UTC)  # the gap's start, or before
    while moment.astimezone(zone).replace(tzinfo=None) < wanted:
        moment += timedelta(minutes=1)
    return moment


def parse_typed_range(text: Any) -> tuple[time, time]:
    """`9:00 - 18:00` -> (09:00, 18:00). A day's hours end on that day: no overnight spans.
    `HoursProblem` on anything else."""
    match = TYPED_RANGE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise HoursProblem(Text(_("{hours!r} is not HH:MM-HH:MM"), hours=text))
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise HoursProblem(Text(_("{hours!r} is not a time of day"), hours=text))
    opens, closes = time(h1, m1), time(h2, m2)
    if closes <= opens:
        raise HoursProblem(Text(_("{hours!r} ends before it starts"), hours=text))
    return opens, closes


def validate_hours(hours: Any) -> list[Text]:
    """The problems of hours as typed, most fundamental first; none: valid.
    `None` is valid (always open)."""
    return _read(hours)[1]


def normalise_hours(hours: Any) -> dict[str, Any] | None:
    """Valid hours in their stored form: `9:00 - 18:00` becomes `09:00-18:00` and the days
    go in week order. ValueError with the first problem when `validate_hours` finds any."""
    normal, problems = _read(hours)
    if problems:
        raise HoursProblem(problems[0])
    return normal


def _read(hours: Any) -> tuple[dict[str, Any] | None, list[Text]]:
    if hours is None:
        return None, []
    if not isinstance(hours, Mapping) or not isinstance(hours.get("days"), Mapping):
        return None, [Text(_("must look like {shape}"), shape=SHAPE)]
    problems = [
        Text(_("unknown key {key!r}; expected timezone and days"), key=key)
        for key in sorted(set(hours) - set(KEYS))
    ]
    normal: dict[str, Any] = {}
    if hours.get("timezone") is not None:
        problems += _timezone_problems(hours["timezone"])
        normal["timezone"] = hours["timezone"]
    days: dict[str, str | None] = {}
    for day, span in hours["days"].items():
        if day not in DAYS:
            unknown = _("unknown day {day!r}; days are {days}")
            problems.append(Text(unknown, day=day, days=", ".join(DAYS)))
        elif span is None:
            days[day] = None
        else:
            try:
                opens, closes = parse_typed_range(span)
            except HoursProblem as problem:
                problems.append(Text(DAY_PROBLEM, day=day, problem=problem.text))
                continue
            days[day] = f"{opens:%H:%M}-{closes:%H:%M}"
    normal["days"] = {day: days[day] for day in DAYS if day in days}
    return normal, problems


def _timezone_problems(name: Any) -> list[Text]:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return [Text(UNKNOWN_ZONE, name=name)]
    return []
