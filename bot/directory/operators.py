"""Operators: add, change, find and list them, each change audited in its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.directory import CLI, Change, DirectoryError, changed_columns, now
from bot.directory.checks import check_operator, parse_operator_ref
from storage.models import Line, LineMember, Operator


@dataclass(frozen=True)
class OperatorSummary:
    operator: Operator
    lines: list[str]


async def find_operator(ref: Any) -> Operator:
    found = await Operator.filter(**parse_operator_ref(ref)).order_by("id").limit(2)
    if not found:
        raise DirectoryError(Text(_("there is no operator {ref}"), ref=ref))
    if len(found) > 1:
        several = _("several operators are {ref}; use the operator's number instead")
        raise DirectoryError(Text(several, ref=ref))
    return found[0]


async def _check_accounts_free(columns: Mapping[str, Any], operator_id: int | None) -> None:
    """Two operators with one account would make the bridges' lookup a coin toss."""
    for field in ("telegram_user_id", "slack_user_id"):
        if columns.get(field) is None:
            continue
        query = Operator.filter(**{field: columns[field]})
        other = await (query.exclude(id=operator_id) if operator_id else query).first()
        if other:
            taken = Text(
                _("already belongs to operator {id} ({name})"), id=other.id, name=other.name
            )
            raise DirectoryError(taken, field)


async def create_operator(columns: dict[str, Any], actor_name: str) -> Operator:
    """Checked columns in, inside the caller's transaction; `members` registers with it."""
    await _check_accounts_free(columns, None)
    operator = await Operator.create(**columns)
    await audit.record(
        "operator.created", at=now(), actor_name=actor_name, operator=operator, new=operator.name
    )
    return operator


async def _change_operator(
    operator: Operator, columns: Mapping[str, Any], actor_name: str
) -> tuple[Operator, Change]:
    changes = changed_columns(operator, columns)
    if not changes:
        return operator, "unchanged"
    await _check_accounts_free({k: new for k, (_old, new) in changes.items()}, operator.id)
    for name, (_old, new) in changes.items():
        setattr(operator, name, new)
    if operator.telegram_user_id is None and operator.slack_user_id is None:
        raise DirectoryError(Text(_("an operator needs a telegram_user_id or a slack_user_id")))
    fields, at = list(changes), now()
    if "status" in changes:
        operator.away_auto, operator.status_changed_at = False, at
        fields += ["away_auto", "status_changed_at"]
    await operator.save(update_fields=fields)
    details = {"operator": operator, "actor_name": actor_name, "at": at}
    await audit.record("operator.updated", new=", ".join(changes), changes=changes, **details)
    if "status" in changes:  # the operators' day report reads "status" entries
        old, new = changes["status"]
        await audit.record("status", old=old, new=new, auto=False, **details)
    return operator, "updated"


async def add_operator(values: Mapping[str, Any], *, actor_name: str = CLI) -> Operator:
    columns = check_operator(values, new=True)
    async with in_transaction():
        return await create_operator(columns, actor_name)


async def update_operator(
    ref: Any, values: Mapping[str, Any], *, actor_name: str = CLI
) -> tuple[Operator, Change]:
    columns = check_operator(values, new=False)
    async with in_transaction():
        return await _change_operator(await find_operator(ref), columns, actor_name)


async def save_operator(
    values: Mapping[str, Any], *, actor_name: str = CLI
) -> tuple[Operator, Change]:
    """Create or update the operator with these Telegram / Slack accounts."""
    columns = check_operator(values, new=True)
    async with in_transaction():
        found: dict[int, Operator] = {}
        for field in ("telegram_user_id", "slack_user_id"):
            if columns.get(field) is not None:
                found |= {o.id: o for o in await Operator.filter(**{field: columns[field]})}
        if len(found) > 1:
            two = _(
                "telegram_user_id and slack_user_id belong to two different operators ({which})"
            )
            which = ", ".join(f"{o.id} {o.name}" for o in found.values())
            raise DirectoryError(Text(two, which=which))
        if not found:
            return await create_operator(columns, actor_name), "created"
        return await _change_operator(found.popitem()[1], columns, actor_name)


async def list_operators() -> list[OperatorSummary]:
    slugs = dict(await Line.all().values_list("id", "slug"))
    lines: dict[int, list[str]] = {}
    for line_id, operator_id in await LineMember.all().values_list("line_id", "operator_id"):
        lines.setdefault(operator_id, []).append(slugs[line_id])
    return [
        OperatorSummary(operator, sorted(lines.get(operator.id, [])))
        for operator in await Operator.all().order_by("id")
    ]
