"""A rule as the panel's form shows it: conditions and actions as rows of a name, an optional
key and values, and back to the stored form that `bot/rules/schema` checks.

Each row's input fits its name (a list to pick from, a text, a key and a number), so that
the form offers what the name can take; what a row cannot be (a stale pick, a hand-made
POST) is left for the core's check to refuse in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDictProxy

from bot.base.i18n import _
from bot.directory.business_hours import DAYS
from bot.directory.checks import CHANNELS
from bot.rules import conditions
from bot.rules.facts import AUTHORS, CHANGED_EVENTS, INCOMING_EVENTS
from bot.rules.schema import ACTIONS, AUTHOR, FLAG_ACTIONS
from storage.models import RuleKind

MAX_ROWS = 30  # of each; far more than a rule a person can read

CONDITION_LABELS = {
    "event": _("Event"),
    "channel": _("Channel"),
    "entry_point": _("Entry point"),
    "line": _("Line"),
    "status": _("Status"),
    "assignee": _("Assignee"),
    "author": _("Who acted"),
    "author_in_line": _("Who acted is a member of"),
    "text_contains": _("Text contains (commas between alternatives)"),
    "text_matches": _("Text matches the regular expression"),
    "contact_tag": _("Contact's tag (commas between alternatives)"),
    "contact_field": _("Contact's field"),
    "language": _("Contact's language (like en, ru, uk)"),
    "first_message": _("First message of a conversation"),
    "business_hours": _("The line's business hours"),
    "weekday": _("Day of the week"),
    "time": _("Time of day (like 09:00-18:00)"),
    "age_minutes": _("Minutes since the conversation began"),
    "earlier_conversations": _("Earlier conversations of the contact"),
}
ACTION_LABELS = {
    "assign": _("Assign to"),
    "route": _("Hand to the line's routing"),
    "unassign": _("Put back in the line's queue"),
    "status": _("Set the status"),
    "snooze": _("Snooze until (opening, 2h, 18:30, tomorrow 10:00)"),
    "wait": _("Finish and wait for the customer to write"),
    "topic": _("Set the topic"),
    "reply": _("Reply to the customer"),
    "quick_reply": _("Send a quick reply"),
    "note": _("Write a note in the thread"),
    "notify_line": _("Tell another line"),
    "webhook": _("Call a webhook (its URL, and the secret that signs the calls)"),
}
RULE_ACTIONS = tuple(a for a in ACTIONS if a != "stop")  # the form's own checkbox
# How each row takes its value: pick several, pick one, type, a key and a value, nothing.
SEVERAL = {"event", "channel", "entry_point", "line", "status", "author", "author_in_line"}
SEVERAL |= {"weekday", "assignee"}
ONE = {"first_message", "business_hours"}
KEYED = {"contact_field", "age_minutes", "earlier_conversations"}
LONG_TEXT = {"reply", "note"}
TYPED_LISTS = {"text_contains", "contact_tag", "language"}  # commas between alternatives
KEYS = {
    "contact_field": (("name", _("Name")), ("phone", _("Phone")), ("email", _("Email")))
    + (("company", _("Company")),),
    "age_minutes": (("over", _("more than")), ("under", _("less than"))),
    "earlier_conversations": (("at_least", _("at least")), ("at_most", _("at most"))),
}


@dataclass
class Row:
    name: str = ""  # "" is a blank row, left out when the rule is saved
    key: str = ""
    values: list[str] = field(default_factory=list)

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""


@dataclass
class Choices:
    """What the desk has, for the rows' lists: (value, label) pairs."""

    lines: list[tuple[str, str]]
    entry_points: list[tuple[str, str]]
    operators: list[tuple[str, str]]  # (the operator's number, name)
    quick_replies: list[tuple[str, str]]


def control(name: str, action: bool) -> str:
    """several | one | keyed | long | text | flag: the input the template draws."""
    if action:
        if name in FLAG_ACTIONS:
            return "flag"
        if name == "webhook":
            return "webhook"
        if name in ("assign", "status", "quick_reply", "notify_line"):
            return "one"
        return "long" if name in LONG_TEXT else "text"
    if name in SEVERAL:
        return "several"
    if name in ONE:
        return "one"
    return "keyed" if name in KEYED else "text"


def options(name: str, action: bool, kind: RuleKind, desk: Choices) -> list[tuple[str, str]]:
    """(value, label) for a row's list; labels are msgids or the desk's own names."""
    if action:
        return {
            "assign": [(AUTHOR, _("the operator who acted")), *desk.operators],
            "status": [("open", "open"), ("closed", "closed")],
            "quick_reply": desk.quick_replies,
            "notify_line": desk.lines,
        }.get(name, [])
    if name == "event":
        events = INCOMING_EVENTS if kind == RuleKind.INCOMING else CHANGED_EVENTS
        return [(e, e) for e in events]
    if name == "assignee":
        return [
            ("none", _("nobody")),
            ("any", _("anybody")),
            *[(f"is:{v}", label) for v, label in desk.operators],
            *[(f"in_line:{v}", label) for v, label in desk.lines],
        ]
    plain: dict[str, Iterable[str]] = {
        "channel": CHANNELS,
        "status": conditions.STATUSES,
        "author": AUTHORS,
        "weekday": DAYS,
    }
    if name in plain:
        return [(v, v) for v in plain[name]]
    return {
        "entry_point": desk.entry_points,
        "line": desk.lines,
        "author_in_line": desk.lines,
        "first_message": [("true", _("yes")), ("false", _("no"))],
        "business_hours": [("inside", _("inside the hours")), ("outside", _("outside the hours"))],
    }.get(name, [])


# --- stored -> rows ------------------------------------------------------------------------------


def _words(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(i).lower() if isinstance(i, bool) else str(i) for i in items]


def condition_row(item: Mapping[str, Any], refs: Mapping[str, str]) -> Row:
    """`refs` maps an operator reference as written to the operator's number."""
    ((name, value),) = item.items()
    if name in KEYED and isinstance(value, Mapping) and value:
        key, number = next(iter(value.items()))
        return Row(name, str(key), _words(number)[:1])
    if name == "assignee" and isinstance(value, Mapping) and len(value) == 1:
        ((key, found),) = value.items()
        if key == "is":
            return Row(name, values=[f"is:{refs.get(str(r), r)}" for r in _words(found)])
        return Row(name, values=[f"{key}:{v}" for v in _words(found)])
    if name in TYPED_LISTS:
        return Row(name, values=[", ".join(_words(value))])
    return Row(name, values=_words(value))


def action_row(item: Mapping[str, Any], refs: Mapping[str, str]) -> Row:
    """A webhook's secret is never drawn: left empty, saving keeps the one stored."""
    ((name, value),) = item.items()
    if name == "webhook" and isinstance(value, Mapping):
        return Row(name, values=[str(value.get("url", ""))])
    if name == "assign" and value != AUTHOR:
        return Row(name, values=[refs.get(str(value), str(value))])
    return Row(name, values=[] if name in FLAG_ACTIONS else _words(value))


def operator_refs(rule_conditions: list[Any], rule_actions: list[Any]) -> list[str]:
    found = []
    for item in rule_conditions:
        for name, value in item.items():
            found += [str(r) for r in conditions.operator_refs(name, value)]
    for item in rule_actions:
        value = item.get("assign")
        if value is not None and value != AUTHOR:
            found.append(str(value))
    return found


# --- the form -> stored --------------------------------------------------------------------------


def read_rows(data: MultiDictProxy[Any], prefix: str) -> list[Row]:
    rows = []
    for index in range(MAX_ROWS):
        base = f"{prefix}{index}_"
        if base + "name" not in data:
            break
        row = Row(
            str(data.get(base + "name", "")).strip(),
            str(data.get(base + "key", "")).strip(),
            [str(v).replace("\r\n", "\n").strip() for v in data.getall(base + "value", [])],
        )
        if str(data.get(base + "was", row.name)) != row.name:
            row.key, row.values = "", []  # typed for the name the row had before
        rows.append(row)
    return rows


def condition_value(row: Row) -> Any:
    """The stored value; what cannot be one is passed on as typed for the core to refuse."""
    values = [v for v in row.values if v]
    if row.name in KEYED:
        number = row.value
        if row.name != "contact_field" and number.isascii() and number.isdigit():
            return {row.key: int(number)}
        return {row.key: number}
    if row.name == "first_message" and row.value in ("true", "false"):
        return row.value == "true"
    if row.name == "assignee":
        return _assignee(values)
    if row.name in TYPED_LISTS:
        values = [v.strip() for v in row.value.split(",") if v.strip()]
    if row.name in SEVERAL or row.name in TYPED_LISTS:
        return values[0] if len(values) == 1 else values
    return row.value


def _assignee(values: list[str]) -> Any:
    if values in (["none"], ["any"]):
        return values[0]
    for key in ("is", "in_line"):
        picked = [v.partition(":")[2] for v in values if v.startswith(key + ":")]
        if picked and len(picked) == len(values):
            return {key: picked[0] if len(picked) == 1 else picked}
    return values  # refused in words by the core


def action_value(row: Row) -> Any:
    if row.name in FLAG_ACTIONS:
        return True
    if row.name == "webhook":
        return {"url": row.value, "secret": row.key}
    return row.value


def keep_secrets(actions: list[dict[str, Any]], before: list[Any]) -> None:
    """A webhook saved with its secret left empty keeps the secret stored for its URL."""
    kept = {
        str(item["webhook"].get("url")): item["webhook"].get("secret")
        for item in before
        if isinstance(item, Mapping) and isinstance(item.get("webhook"), Mapping)
    }
    for item in actions:
        hook = item.get("webhook")
        if isinstance(hook, dict) and not hook.get("secret") and kept.get(hook["url"]):
            hook["secret"] = kept[hook["url"]]


def stored(rows: list[Row], action: bool) -> tuple[list[dict[str, Any]], list[int]]:
    """(the stored list, the form row of each item) — blank rows are left out."""
    items, where = [], []
    for index, row in enumerate(rows):
        if not row.name:
            continue
        value = action_value(row) if action else condition_value(row)
        items.append({row.name: value})
        where.append(index)
    return items, where


def shown(item: Mapping[str, Any], names: Mapping[str, str]) -> tuple[str, str]:
    """(the label's msgid, the value in short) for the list of rules; `names` maps operator
    references to names."""
    ((name, value),) = item.items()
    label = CONDITION_LABELS.get(name) or ACTION_LABELS.get(name) or name
    if name in FLAG_ACTIONS:
        return label, ""
    if name == "assign":
        return label, names.get(str(value), str(value))
    if name == "webhook" and isinstance(value, Mapping):
        return label, str(value.get("url", ""))  # never the secret
    if isinstance(value, Mapping):
        parts = []
        for key, found in value.items():
            refs = _words(found)
            if key == "is":
                refs = [names.get(r, r) for r in refs]
            parts.append(f"{key} {', '.join(refs)}")
        return label, "; ".join(parts)
    return label, ", ".join(_words(value))
