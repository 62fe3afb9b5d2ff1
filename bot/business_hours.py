"""Business hours of a line: `{"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00"}}`."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_range(text: str) -> tuple[time, time]:
    """`09:00-18:00` -> (09:00, 18:00); ValueError on anything else."""
    start, _, end = text.partition("-")
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
