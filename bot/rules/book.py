"""The enabled rules of both lists, compiled once and kept in memory, as every instance
reads them.

Kept fresh on every instance as `bot/base/shared_copy` says. Evaluating rules for an event
reads only memory: with no rules, an event costs no statement at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.base.shared_copy import SharedCopy
from bot.directory import DirectoryError
from bot.directory.checks import parse_operator_ref
from bot.rules import conditions
from bot.rules.conditions import Predicate
from bot.rules.facts import Facts
from storage.models import Operator, Rule, RuleKind

log = logging.getLogger(__name__)

VERSION_KEY = "rd:rules:version"
# Conditions whose facts cost a query: read for an event only when a rule looks at them.
COSTLY_FACTS = {
    "author_in_line": "author_lines",
    "earlier_conversations": "earlier_conversations",
}


@dataclass(frozen=True)
class LoadedRule:
    id: int
    name: str
    match_all: bool
    predicates: tuple[Predicate, ...]
    actions: tuple[Mapping[str, Any], ...]
    stop: bool

    def applies(self, facts: Facts) -> bool:
        if not self.predicates:
            return True
        if self.match_all:
            return all(p(facts) for p in self.predicates)
        return any(p(facts) for p in self.predicates)


def matching(rules: Sequence[LoadedRule], facts: Facts) -> list[LoadedRule]:
    """The rules that apply, in order, up to and including the first that stops."""
    found = []
    for rule in rules:
        if rule.applies(facts):
            found.append(rule)
            if rule.stop:
                break
    return found


def needs_of(rows: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """The costly facts some condition of `rows` (stored conditions) looks at."""
    found = set()
    for row in rows:
        for item in row:
            for name, value in item.items():
                if name in COSTLY_FACTS:
                    found.add(COSTLY_FACTS[name])
                if name == "assignee" and isinstance(value, Mapping) and "in_line" in value:
                    found.add("assignee_lines")
    return frozenset(found)


async def compile_rule(row: Rule) -> LoadedRule:
    """Operator references are read now, once; one that names nobody makes its condition
    false (and is said in the log) instead of failing every event."""
    kind = RuleKind(row.kind)
    predicates = []
    for item in row.conditions:
        ((name, value),) = item.items()
        ids: dict[str, int | None] = {}
        for ref in conditions.operator_refs(name, value):
            ids[str(ref)] = await _operator_id(ref, row.name)
        predicates.append(conditions.compile_condition(name, value, kind, ids))
    return LoadedRule(
        id=row.id,
        name=row.name,
        match_all=row.match != "any",
        predicates=tuple(predicates),
        actions=tuple(row.actions),
        stop=row.stop,
    )


async def _operator_id(ref: Any, rule: str) -> int | None:
    try:
        found = await Operator.filter(**parse_operator_ref(ref)).first()
    except DirectoryError:
        found = None
    if found is None:
        log.warning("Rule %r names operator %s, who is not on the desk: never matches", rule, ref)
    return found.id if found else None


class RuleBook(SharedCopy):
    def __init__(self, *, redis: Any = None, refresh_seconds: float) -> None:
        super().__init__(
            version_key=VERSION_KEY,
            what="the rules",
            redis=redis,
            refresh_seconds=refresh_seconds,
        )
        self.lists: dict[RuleKind, tuple[LoadedRule, ...]] = {k: () for k in RuleKind}
        self.needs: dict[RuleKind, frozenset[str]] = {k: frozenset() for k in RuleKind}

    def rules(self, kind: RuleKind) -> tuple[LoadedRule, ...]:
        return self.lists[kind]

    async def _read(self) -> None:
        rows = await Rule.filter(enabled=True).order_by("kind", "position", "id")
        lists: dict[RuleKind, list[LoadedRule]] = {k: [] for k in RuleKind}
        for row in rows:
            try:
                lists[RuleKind(row.kind)].append(await compile_rule(row))
            except (conditions.ConditionProblem, ValueError) as problem:
                log.warning("Rule %r is not valid and is skipped: %s", row.name, problem)
        self.lists = {k: tuple(v) for k, v in lists.items()}
        self.needs = {k: needs_of([r.conditions for r in rows if r.kind == k]) for k in RuleKind}

    async def announce(self) -> None:
        """After a change was committed: here at once, elsewhere at their next refresh."""
        await self.bump()
        await self.load()
