"""Rules as admins, the CLI and the file import change them: checked in full (references
too) before anything is written, each change audited in its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.directory import CLI, Change, changed_columns, now
from bot.rules.schema import CheckedRule, check_references, check_rule
from storage.models import Operator, Rule


async def check_rule_fully(values: Mapping[str, Any]) -> CheckedRule:
    """`DirectoryError` in plain words for anything a rule may not be."""
    rule = check_rule(values)
    await check_references(rule)
    return rule


async def save_rule(
    values: Mapping[str, Any], *, actor_name: str = CLI, actor: Operator | None = None
) -> tuple[Rule, Change]:
    """Create or update by (kind, name). A new rule goes to the end of its list unless the
    values say where. Call `RuleBook.announce()` after the transaction commits."""
    checked = await check_rule_fully(values)
    columns: dict[str, Any] = {
        "enabled": checked.enabled,
        "match": checked.match,
        "conditions": checked.conditions,
        "actions": checked.actions,
        "stop": checked.stop,
    }
    if checked.position is not None:
        columns["position"] = checked.position
    async with in_transaction():
        rule = await Rule.get_or_none(kind=checked.kind, name=checked.name)
        if rule is None:
            if "position" not in columns:
                last = await Rule.filter(kind=checked.kind).order_by("-position").first()
                columns["position"] = last.position + 1 if last else 0
            rule = await Rule.create(kind=checked.kind, name=checked.name, **columns)
            await _audit("rule.created", rule, actor_name, actor, new=rule.name)
            return rule, "created"
        changes = changed_columns(rule, columns)
        if not changes:
            return rule, "unchanged"
        for name, (_old, new) in changes.items():
            setattr(rule, name, new)
        await rule.save(update_fields=[*changes, "updated_at"])
        await _audit("rule.updated", rule, actor_name, actor, new=", ".join(changes))
    return rule, "updated"


async def remove_rule(
    rule_id: int, *, actor_name: str = CLI, actor: Operator | None = None
) -> bool:
    async with in_transaction():
        rule = await Rule.get_or_none(id=rule_id)
        if rule is None:
            return False
        await _audit("rule.removed", rule, actor_name, actor, old=rule.name)
        await rule.delete()
    return True


async def _audit(
    action: str, rule: Rule, actor_name: str, actor: Operator | None, **values: Any
) -> None:
    await audit.record(
        action, at=now(), actor=actor, actor_name=actor_name, kind=rule.kind.value, **values
    )
