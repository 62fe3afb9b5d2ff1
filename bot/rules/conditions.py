"""Conditions: each turned once, when the rules are loaded, into a pure function of `Facts`.

A condition is a one-key mapping, `{name: value}`; `check` says what is wrong with one in
plain words, `compile_condition` makes the function (of a condition that passed `check`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from bot.base.i18n import Text, _
from bot.directory.business_hours import DAYS, HoursProblem, is_open, parse_typed_range
from bot.rules import safe_regex
from bot.rules.facts import AUTHORS, CHANGED_EVENTS, INCOMING_EVENTS, Facts
from storage.models import ConversationStatus, RuleKind

Predicate = Callable[[Facts], bool]
STATUSES = tuple(s.value for s in ConversationStatus)
CONTACT_FIELDS = ("name", "phone", "email", "company")
NAMES = (
    "event",
    "channel",
    "entry_point",
    "line",
    "status",
    "assignee",
    "author",
    "author_in_line",
    "text_contains",
    "text_matches",
    "contact_tag",
    "contact_field",
    "language",
    "first_message",
    "business_hours",
    "weekday",
    "time",
    "age_minutes",
    "earlier_conversations",
)
# Conditions that say nothing in the other list: the author of an incoming event is always
# the customer, and only an incoming event can be a conversation's first message.
ONLY_FOR = {
    "author": RuleKind.CHANGED,
    "author_in_line": RuleKind.CHANGED,
    "first_message": RuleKind.INCOMING,
}


def names_for(kind: RuleKind) -> tuple[str, ...]:
    """The conditions a rule of `kind` may use, in the order the panel offers them."""
    return tuple(n for n in NAMES if ONLY_FOR.get(n, kind) == kind)


class ConditionProblem(ValueError):
    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


def words(value: Any) -> tuple[str, ...]:
    """A word or a list of words, case-folded; ConditionProblem for anything else."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ConditionProblem(Text(_("must be a word or a list of words")))
    return tuple(i.strip().casefold() for i in items)


def _one_of(value: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    found = words(value)
    for word in found:
        if word not in allowed:
            unknown = _("{value!r} is not one of {allowed}")
            raise ConditionProblem(Text(unknown, value=word, allowed=", ".join(allowed)))
    return found


def _bound(value: Any, keys: tuple[str, str]) -> tuple[str, int]:
    """`{"over": 30}` -> ("over", 30)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        shape = _("must be {{{first}: N}} or {{{second}: N}}")
        raise ConditionProblem(Text(shape, first=keys[0], second=keys[1]))
    ((key, number),) = value.items()
    if key not in keys or isinstance(number, bool) or not isinstance(number, int) or number < 0:
        shape = _("must be {{{first}: N}} or {{{second}: N}}")
        raise ConditionProblem(Text(shape, first=keys[0], second=keys[1]))
    return key, number


def check(name: str, value: Any, kind: RuleKind) -> None:
    """ConditionProblem when the condition cannot be used in a rule of `kind`."""
    if ONLY_FOR.get(name, kind) != kind:
        if kind == RuleKind.INCOMING:
            wrong = _("only rules for changed conversations can look at who acted")
        else:
            wrong = _("only rules for incoming messages can look at the first message")
        raise ConditionProblem(Text(wrong))
    compile_condition(name, value, kind, {})


def operator_refs(name: str, value: Any) -> list[Any]:
    """The operators a condition names (resolved to ids when the rules load)."""
    if name == "assignee" and isinstance(value, Mapping) and "is" in value:
        refs = value["is"]
        return list(refs) if isinstance(refs, list) else [refs]
    return []


def line_slugs(name: str, value: Any) -> list[str]:
    if name in ("line", "author_in_line"):
        return list(words(value))
    if name == "assignee" and isinstance(value, Mapping) and "in_line" in value:
        return list(words(value["in_line"]))
    return []


def compile_condition(
    name: str, value: Any, kind: RuleKind, operator_ids: Mapping[str, int | None]
) -> Predicate:
    """`operator_ids` maps each operator reference (as written) to its id, None when it
    names nobody (the condition is then false)."""
    if name == "event":
        allowed = INCOMING_EVENTS if kind == RuleKind.INCOMING else CHANGED_EVENTS
        events = frozenset(_one_of(value, allowed))
        return lambda f: f.event in events
    if name in ("channel", "entry_point", "line", "language"):
        wanted = frozenset(words(value))
        attribute = name
        return lambda f: (getattr(f, attribute) or "").casefold() in wanted
    if name == "status":
        statuses = frozenset(_one_of(value, STATUSES))
        return lambda f: f.status in statuses
    if name == "author":
        authors = frozenset(_one_of(value, AUTHORS))
        return lambda f: f.author in authors
    if name == "author_in_line":
        lines = frozenset(words(value))
        return lambda f: bool(f.author_lines & lines)
    if name == "assignee":
        return _assignee(value, operator_ids)
    if name == "text_contains":
        needles = words(value)
        return lambda f: any(n in f.text.casefold() for n in needles)
    if name == "text_matches":
        try:
            pattern = safe_regex.compile_safe(value)
        except safe_regex.UnsafePattern as problem:
            raise ConditionProblem(problem.text) from None
        return lambda f: safe_regex.search(pattern, f.text)
    if name == "contact_tag":
        tags = frozenset(words(value))
        return lambda f: bool(f.tags & tags)
    if name == "contact_field":
        return _contact_field(value)
    if name in ("first_message",):
        if not isinstance(value, bool):
            raise ConditionProblem(Text(_("must be true or false")))
        return lambda f: f.first_message is value
    if name == "business_hours":
        (where,) = _one_of(value, ("inside", "outside"))
        inside = where == "inside"
        return lambda f: is_open(f.line_hours, f.now, f.timezone) is inside  # type: ignore[arg-type]
    if name == "weekday":
        days = frozenset(_one_of(value, DAYS))
        return lambda f: DAYS[f.now.astimezone(ZoneInfo(f.timezone)).weekday()] in days
    if name == "time":
        return _time(value)
    if name == "age_minutes":
        key, minutes = _bound(value, ("over", "under"))
        seconds = minutes * 60
        if key == "over":
            return lambda f: (f.now - f.created_at).total_seconds() > seconds
        return lambda f: (f.now - f.created_at).total_seconds() < seconds
    if name == "earlier_conversations":
        key, count = _bound(value, ("at_least", "at_most"))
        if key == "at_least":
            return lambda f: f.earlier_conversations >= count
        return lambda f: f.earlier_conversations <= count
    unknown = _("unknown condition {name!r}; the conditions are {names}")
    raise ConditionProblem(Text(unknown, name=name, names=", ".join(NAMES)))


def _assignee(value: Any, operator_ids: Mapping[str, int | None]) -> Predicate:
    if value == "none":
        return lambda f: f.assignee_id is None
    if value == "any":
        return lambda f: f.assignee_id is not None
    if isinstance(value, Mapping) and len(value) == 1 and "in_line" in value:
        lines = frozenset(words(value["in_line"]))
        return lambda f: bool(f.assignee_lines & lines)
    if isinstance(value, Mapping) and len(value) == 1 and "is" in value:
        refs = operator_refs("assignee", value)
        if not refs:
            raise ConditionProblem(Text(_("must name at least one operator")))
        ids = frozenset(i for r in refs if (i := operator_ids.get(str(r))) is not None)
        return lambda f: f.assignee_id in ids
    shape = _('must be "none", "any", {{is: OPERATOR}} or {{in_line: LINE}}')
    raise ConditionProblem(Text(shape))


def _contact_field(value: Any) -> Predicate:
    if not isinstance(value, Mapping) or not value:
        raise ConditionProblem(Text(_("must map a field of the contact to a value")))
    wanted = {}
    for key, expected in value.items():
        if key not in CONTACT_FIELDS:
            unknown = _("{value!r} is not one of {allowed}")
            raise ConditionProblem(Text(unknown, value=key, allowed=", ".join(CONTACT_FIELDS)))
        wanted[key] = words(expected)
    return lambda f: all(f.contact_fields.get(k, "") in v for k, v in wanted.items())


def _time(value: Any) -> Predicate:
    try:
        opens, closes = parse_typed_range(value)
    except HoursProblem as problem:
        raise ConditionProblem(problem.text) from None

    def between(f: Facts) -> bool:
        local: time = f.now.astimezone(ZoneInfo(f.timezone)).time().replace(tzinfo=None)
        return opens <= local < closes

    return between
