"""Members: who works in a line. Adding an unknown messenger account registers an operator."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.directory import CLI, Change, DirectoryError, now
from bot.directory.checks import parse_operator_ref
from bot.directory.lines import get_line
from bot.directory.operators import create_operator, find_operator
from storage.models import LineMember, Operator


async def _member_operator(ref: Any, actor_name: str) -> Operator:
    """An unknown `telegram:`/`slack:` account is registered: its name comes from the
    messenger on the operator's first action."""
    filters = parse_operator_ref(ref)
    if not {"telegram_user_id", "slack_user_id"} & set(filters):
        return await find_operator(ref)
    operator = await Operator.get_or_none(**filters)
    return operator or await create_operator({"name": str(ref), **filters}, actor_name)


async def add_member(line_slug: str, ref: Any, *, actor_name: str = CLI) -> tuple[Operator, Change]:
    async with in_transaction():
        line = await get_line(line_slug)
        operator = await _member_operator(ref, actor_name)
        _, created = await LineMember.get_or_create(line=line, operator=operator)
        if created:
            await audit.record(
                "member.added", at=now(), actor_name=actor_name, operator=operator, line=line.slug
            )
    return operator, "created" if created else "unchanged"


async def remove_member(line_slug: str, ref: Any, *, actor_name: str = CLI) -> Operator:
    async with in_transaction():
        line = await get_line(line_slug)
        operator = await find_operator(ref)
        if not await LineMember.filter(line_id=line.id, operator_id=operator.id).delete():
            not_member = _("{name} is not a member of line {slug!r}")
            raise DirectoryError(Text(not_member, name=operator.name, slug=line_slug))
        await audit.record(
            "member.removed", at=now(), actor_name=actor_name, operator=operator, line=line.slug
        )
    return operator


async def list_members(line_slug: str) -> list[Operator]:
    line = await get_line(line_slug)
    ids = await LineMember.filter(line_id=line.id).values_list("operator_id", flat=True)
    return await Operator.filter(id__in=list(ids)).order_by("name", "id")
