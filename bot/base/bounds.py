"""What a column can hold, checked where text becomes a number or a filter.

A number typed by a person (an id, a `#number`, a Telegram id, a page) is read only when it is
plain ASCII digits in the column's range: `"²".isdigit()` is true yet `int("²")` fails, a
4,300-digit string makes `int()` refuse, and PostgreSQL refuses to compare an integer column
with a larger number. A text longer than its column makes tortoise refuse an equality filter,
so a search that cannot match is not run at all.
"""

from __future__ import annotations

import re

from tortoise.models import Model

INT_MAX = 2**31 - 1  # an INTEGER column: row ids, capacities
BIGINT_MAX = 2**63 - 1  # a BIGINT column: Telegram user and chat ids
_WHOLE = re.compile(r"-?[0-9]{1,30}")


def whole_number(text: str) -> int | None:
    """The number typed, or None when it is not one (words, other scripts' digits, a page of
    digits); the range is the caller's to check."""
    text = text.strip()
    return int(text) if _WHOLE.fullmatch(text) else None


def number_in(text: str, low: int, high: int) -> int | None:
    """The number typed when it is a whole number from `low` to `high`; None otherwise."""
    number = whole_number(text)
    return number if number is not None and low <= number <= high else None


def row_id(text: str) -> int | None:
    """A row id typed or found in an address; None when no row can have it."""
    return number_in(text, 1, INT_MAX)


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether `value` is short enough for the column, so that an equality filter on it can
    be run (and can match)."""
    limit = getattr(model._meta.fields_map[field], "max_length", None)
    return limit is None or len(value) <= limit
