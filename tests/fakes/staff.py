"""Operators and lines as an admin would set them up, written straight to the database."""

from __future__ import annotations

from typing import Any

from storage.models import Line, LineMember, Operator


async def hire(
    line_slug: str,
    name: str,
    *,
    telegram: int | None = None,
    slack: str | None = None,
    status: str = "free",
    capacity: int = 5,
) -> Operator:
    """An operator who is a member of `line_slug` (created once, joined to more lines)."""
    account: dict[str, Any] = (
        {"telegram_user_id": telegram, "telegram_username": name.lower()}
        if telegram
        else {"slack_user_id": slack}
    )
    key = {"telegram_user_id": telegram} if telegram else {"slack_user_id": slack}
    operator = await Operator.get_or_none(**key)
    if operator is None:
        operator = await Operator.create(name=name, status=status, capacity=capacity, **account)
    else:
        await Operator.filter(id=operator.id).update(status=status, capacity=capacity)
        await operator.refresh_from_db()
    line = await Line.get(slug=line_slug)
    await LineMember.get_or_create(line=line, operator=operator)
    return operator


async def configure(line_slug: str, **fields: Any) -> Line:
    await Line.filter(slug=line_slug).update(**fields)
    return await Line.get(slug=line_slug)
