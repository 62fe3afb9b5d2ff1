"""Rules as admins, the CLI and the file import change them: checked in full (references
too) before anything is written, each change audited in its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.directory import CLI, Change, DirectoryError, changed_columns, now
from bot.rules.schema import CheckedRule, check_references, check_rule
from storage.models import Operator, Rule, RuleKind

TAKEN = _("there is already a rule with this name in this list")


async def check_rule_fully(
    values: Mapping[str, Any], *, allow_private: bool = False
) -> CheckedRule:
    """`DirectoryError` in plain words for anything a rule may not be. `allow_private` is
    RELAYDESK_WEBHOOK_ALLOW_PRIVATE: whether a webhook may call a private address."""
    rule = check_rule(values)
    await check_references(rule, allow_private=allow_private)
    return rule


async def save_rule(
    values: Mapping[str, Any],
    *,
    actor_name: str = CLI,
    actor: Operator | None = None,
    allow_private: bool = False,
) -> tuple[Rule, Change]:
    """Create or update by (kind, name). A new rule goes to the end of its list unless the
    values say where. Call `RuleBook.announce()` after the transaction commits."""
    checked = await check_rule_fully(values, allow_private=allow_private)
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
                columns["position"] = await _end_of(checked.kind)
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


async def create_rule(
    values: Mapping[str, Any],
    *,
    actor_name: str = CLI,
    actor: Operator | None = None,
    allow_private: bool = False,
) -> Rule:
    """A new rule at the end of its list; a name its list already has is refused (the panel
    never overwrites a rule it did not open)."""
    checked = await check_rule_fully(values, allow_private=allow_private)
    if await Rule.exists(kind=checked.kind, name=checked.name):
        raise DirectoryError(Text(TAKEN), "name")
    rule, _change = await save_rule(
        values, actor_name=actor_name, actor=actor, allow_private=allow_private
    )
    return rule


async def update_rule(
    rule_id: int,
    values: Mapping[str, Any],
    *,
    actor_name: str = CLI,
    actor: Operator | None = None,
    allow_private: bool = False,
) -> Change:
    """Change one rule, its name and list too; a rule moved to the other list goes to its end."""
    checked = await check_rule_fully(values, allow_private=allow_private)
    async with in_transaction():
        rule = await Rule.select_for_update().get_or_none(id=rule_id)
        if rule is None:
            raise DirectoryError(Text(_("the rule was deleted meanwhile")))
        clash = Rule.filter(kind=checked.kind, name=checked.name).exclude(id=rule_id)
        if await clash.exists():
            raise DirectoryError(Text(TAKEN), "name")
        columns: dict[str, Any] = {
            "name": checked.name,
            "kind": checked.kind,
            "enabled": checked.enabled,
            "match": checked.match,
            "conditions": checked.conditions,
            "actions": checked.actions,
            "stop": checked.stop,
        }
        if checked.kind != rule.kind:
            columns["position"] = await _end_of(checked.kind)
        changes = changed_columns(rule, columns)
        if not changes:
            return "unchanged"
        for name, (_old, new) in changes.items():
            setattr(rule, name, new)
        await rule.save(update_fields=[*changes, "updated_at"])
        await _audit("rule.updated", rule, actor_name, actor, new=", ".join(changes))
    return "updated"


async def set_enabled(
    rule_id: int, enabled: bool, *, actor_name: str = CLI, actor: Operator | None = None
) -> bool:
    """False when there is no such rule."""
    async with in_transaction():
        rule = await Rule.select_for_update().get_or_none(id=rule_id)
        if rule is None:
            return False
        if rule.enabled != enabled:
            rule.enabled = enabled
            await rule.save(update_fields=["enabled", "updated_at"])
            action = "rule.enabled" if enabled else "rule.disabled"
            await _audit(action, rule, actor_name, actor, new=rule.name)
    return True


async def move_rule(
    rule_id: int, step: int, *, actor_name: str = CLI, actor: Operator | None = None
) -> bool:
    """One place up (`step` -1) or down (+1) in its list; the list is numbered afresh, so
    rules imported with equal positions get an order of their own. False: no such rule."""
    async with in_transaction():
        rule = await Rule.get_or_none(id=rule_id)
        if rule is None:
            return False
        ordered = await Rule.select_for_update().filter(kind=rule.kind).order_by("position", "id")
        index = next(i for i, r in enumerate(ordered) if r.id == rule_id)
        target = index + step
        if not 0 <= target < len(ordered):
            return True
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, row in enumerate(ordered):
            if row.position != position:
                row.position = position
                await row.save(update_fields=["position"])
        await _audit(
            "rule.moved", rule, actor_name, actor, old=index + 1, new=target + 1, name=rule.name
        )
    return True


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


async def _end_of(kind: RuleKind) -> int:
    last = await Rule.filter(kind=kind).order_by("-position").first()
    return last.position + 1 if last else 0


async def _audit(
    action: str, rule: Rule, actor_name: str, actor: Operator | None, **values: Any
) -> None:
    await audit.record(
        action, at=now(), actor=actor, actor_name=actor_name, kind=rule.kind.value, **values
    )
