"""Reading `/snooze` times: `2h`, `1h30m`, `3d`, `tomorrow 10:00`, `18:30`, `2026-12-01 10:00`."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_SPAN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
MAX_SNOOZE = timedelta(days=90)
MORNING = time(9, 0)


class BadTime(ValueError):
    """The words are not a time this parser knows."""


def parse_snooze(text: str, now: datetime, tz: str) -> datetime:
    """The moment (UTC-aware) to wake up; BadTime when unreadable, past or too far."""
    words = text.strip().lower().split()
    if not words:
        raise BadTime(text)
    local_now = now.astimezone(ZoneInfo(tz))
    span = _SPAN.match(words[0]) if len(words) == 1 else None
    if span and any(span.groups()):
        days, hours, minutes = (int(g or 0) for g in span.groups())
        until = now + timedelta(days=days, hours=hours, minutes=minutes)
    else:
        until = _moment(words, local_now).astimezone(now.tzinfo)
    if not now < until <= now + MAX_SNOOZE:
        raise BadTime(text)
    return until


def _moment(words: list[str], local_now: datetime) -> datetime:
    day: date | None = None
    clock: time | None = None
    for word in words:
        if word in ("tomorrow", "завтра"):
            day = local_now.date() + timedelta(days=1)
        elif word in ("today", "сегодня", "сьогодні"):
            day = local_now.date()
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
            day = _read(date.fromisoformat, word)
        elif re.fullmatch(r"\d{1,2}:\d{2}", word):
            clock = _read(time.fromisoformat, word.zfill(5))
        else:
            raise BadTime(word)
    if day is None and clock is None:
        raise BadTime(" ".join(words))
    if day is None:  # a bare time: today, or tomorrow when it has passed
        day = local_now.date()
        if clock is not None and clock <= local_now.time().replace(tzinfo=None):
            day += timedelta(days=1)
    return datetime.combine(day, clock or MORNING, tzinfo=local_now.tzinfo)


def _read(parse, word: str):
    try:
        return parse(word)
    except ValueError as error:
        raise BadTime(word) from error
