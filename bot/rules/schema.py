"""A rule as a person writes it (the panel, a file) and the one check of it.

```yaml
name: Out of hours
kind: incoming            # incoming | changed
enabled: true
match: all                # all | any of the conditions
conditions: [{event: new_conversation}, {business_hours: outside}]
actions: [{reply: "We are back at 9:00"}, {snooze: opening}]
stop: true                # no later rule of the list runs for this event
```

Everything wrong is refused before anything is written, as a `DirectoryError` in plain
words; `check_references` then makes sure the lines, operators and quick replies it names
exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.base.i18n import Text, _
from bot.conversations.snooze_time import BadTime, parse_snooze
from bot.directory import DirectoryError
from bot.directory.checks import parse_operator_ref
from bot.rules import conditions, webhook_action
from storage.models import Line, Operator, QuickReply, RuleKind

FIELDS = ("name", "kind", "enabled", "match", "conditions", "actions", "stop", "position")
ACTIONS = (
    "assign",
    "route",
    "unassign",
    "status",
    "snooze",
    "wait",
    "topic",
    "reply",
    "quick_reply",
    "note",
    "notify_line",
    "webhook",
    "stop",
)
FLAG_ACTIONS = ("route", "unassign", "wait", "stop")  # written `{route: true}`
STATUSES = ("open", "closed")
OPENING = "opening"  # snooze until the line's business hours start
AUTHOR = "author"  # assign: the operator whose action or message set the rule off
MAX_NAME = 128
MAX_WORDS = 4000


@dataclass(frozen=True)
class CheckedRule:
    name: str
    kind: RuleKind
    enabled: bool
    match: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    stop: bool
    position: int | None


def check_rule(values: Mapping[str, Any]) -> CheckedRule:
    """The rule in its stored form, or DirectoryError on the first problem, with its field."""
    if not isinstance(values, Mapping):
        raise DirectoryError(Text(_("must be a mapping")))
    for key in values:
        if key not in FIELDS:
            unknown = _("unknown key {key!r}; expected {keys}")
            raise DirectoryError(Text(unknown, key=key, keys=", ".join(FIELDS)))
    name = values.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        sized = _("must be a name of 1 to {count} characters")
        raise DirectoryError(Text(sized, count=MAX_NAME), "name")
    kind = values.get("kind")
    if kind not in tuple(RuleKind):
        kinds = _("must be incoming or changed")
        raise DirectoryError(Text(kinds), "kind")
    kind = RuleKind(kind)
    match = values.get("match", "all")
    if match not in ("all", "any"):
        raise DirectoryError(Text(_("must be all or any")), "match")
    enabled, stop = values.get("enabled", True), values.get("stop", False)
    for field, flag in (("enabled", enabled), ("stop", stop)):
        if not isinstance(flag, bool):
            raise DirectoryError(Text(_("must be true or false")), field)
    position = values.get("position")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
        raise DirectoryError(Text(_("must be a whole number")), "position")
    checked_conditions = [
        _condition(item, index, kind)
        for index, item in enumerate(_list(values.get("conditions", []), "conditions"))
    ]
    raw_actions = _list(values.get("actions"), "actions")
    if not raw_actions:
        raise DirectoryError(Text(_("a rule needs at least one action")), "actions")
    checked_actions = []
    for index, item in enumerate(raw_actions):
        action = _action(item, index)
        if "stop" in action:
            stop = True
        else:
            checked_actions.append(action)
    return CheckedRule(
        name=name.strip(),
        kind=kind,
        enabled=enabled,
        match=match,
        conditions=checked_conditions,
        actions=checked_actions,
        stop=stop,
        position=position,
    )


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise DirectoryError(Text(_("must be a list")), field)
    return value


def _one_key(item: Any, where: str) -> tuple[str, Any]:
    if not isinstance(item, Mapping) or len(item) != 1:
        shape = _("must be one name and its value, like {{status: open}}")
        raise DirectoryError(Text(shape), where)
    ((name, value),) = item.items()
    return str(name), value


def _condition(item: Any, index: int, kind: RuleKind) -> dict[str, Any]:
    where = f"conditions[{index}]"
    name, value = _one_key(item, where)
    try:
        conditions.check(name, value, kind)
    except conditions.ConditionProblem as problem:
        raise DirectoryError(problem.text, f"{where}.{name}") from None
    return {name: value}


def _action(item: Any, index: int) -> dict[str, Any]:
    where = f"actions[{index}]"
    name, value = _one_key(item, where)
    if name not in ACTIONS:
        unknown = _("unknown action {name!r}; the actions are {names}")
        raise DirectoryError(Text(unknown, name=name, names=", ".join(ACTIONS)), where)
    where = f"{where}.{name}"
    if name in FLAG_ACTIONS:
        if value is not True:
            raise DirectoryError(Text(_("write {name}: true"), name=name), where)
    elif name == "assign":
        if value != AUTHOR:
            try:
                parse_operator_ref(value)
            except DirectoryError as error:
                raise DirectoryError(error.text, where) from None
    elif name == "status":
        if value not in STATUSES:
            raise DirectoryError(Text(_("must be open or closed")), where)
    elif name == "snooze":
        _check_snooze(value, where)
    elif name == "webhook":
        webhook_action.check_shape(value, where)
    elif not isinstance(value, str) or not value.strip() or len(value) > MAX_WORDS:
        sized = _("must be a text of 1 to {count} characters")
        raise DirectoryError(Text(sized, count=MAX_WORDS), where)
    return {name: value}


def _check_snooze(value: Any, where: str) -> None:
    if value == OPENING:
        return
    try:
        parse_snooze(str(value), datetime(2026, 1, 5, 12, tzinfo=UTC), "UTC")
    except BadTime:
        times = _(
            "must be opening (when the line's hours start) or a time like 2h, 30m, "
            "18:30 or tomorrow 10:00"
        )
        raise DirectoryError(Text(times), where) from None


async def check_references(rule: CheckedRule, *, allow_private: bool = False) -> None:
    """DirectoryError when the rule names a line, an operator or a quick reply the desk
    does not have, or a webhook at an address the desk does not call: a rule that points
    nowhere is refused when it is saved."""
    for index, item in enumerate(rule.conditions):
        ((name, value),) = item.items()
        where = f"conditions[{index}].{name}"
        for slug in conditions.line_slugs(name, value):
            await _line_exists(slug, where)
        for ref in conditions.operator_refs(name, value):
            await _operator_exists(ref, where)
    for index, item in enumerate(rule.actions):
        ((name, value),) = item.items()
        where = f"actions[{index}].{name}"
        if name == "notify_line":
            await _line_exists(value, where)
        elif name == "assign" and value != AUTHOR:
            await _operator_exists(value, where)
        elif name == "webhook":
            webhook_action.check_address(value, where, allow_private=allow_private)
        elif name == "quick_reply" and not await QuickReply.exists(name__iexact=value.strip()):
            missing = _("there is no quick reply {name!r}")
            raise DirectoryError(Text(missing, name=value), where)


async def _line_exists(slug: str, where: str) -> None:
    if not await Line.filter(slug__iexact=slug).exists():
        raise DirectoryError(Text(_("there is no line {slug!r}"), slug=slug), where)


async def _operator_exists(ref: Any, where: str) -> None:
    if not await Operator.filter(**parse_operator_ref(ref)).exists():
        raise DirectoryError(Text(_("there is no operator {ref}"), ref=ref), where)
