"""Lines, operators, members, quick replies and entry points from a YAML or TOML file.

A file describes the team and can live in version control: importing it makes the database
match what it says (creating and updating, never removing), all of it or none of it, and a
second import of the same file changes nothing. The checks are `bot.directory`'s, so a file
and the CLI refuse the same things in the same words.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tortoise.transactions import in_transaction

from bot.base.i18n import Text, _, verbatim
from bot.base.settings import Settings
from bot.directory import CLI, Change, DirectoryError, checks
from bot.directory.configured_lines import WORKSPACE_SETTINGS, configured_workspaces
from bot.directory.entry_points import set_entry_point
from bot.directory.lines import save_line
from bot.directory.members import add_member
from bot.directory.operators import save_operator
from bot.directory.quick_replies import save_quick_reply
from bot.rules.schema import check_rule
from bot.rules.store import save_rule
from storage.models import Line

SECTIONS = ("lines", "operators", "members", "quick_replies", "entry_points", "rules")
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}


@dataclass
class Plan:
    """A checked file, each item with where it stands in the file for error messages."""

    lines: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    operators: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    members: list[tuple[str, str, Any]] = field(default_factory=list)
    quick_replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    entry_points: list[tuple[str, str, str]] = field(default_factory=list)
    rules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class ImportReport:
    counts: dict[str, Counter[Change]] = field(
        default_factory=lambda: {section: Counter() for section in SECTIONS}
    )
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def summary(self) -> list[str]:
        return [
            f"{section}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for section, c in self.counts.items()
            if c
        ]


def parse(text: str, fmt: str, source: str = "the file") -> dict[str, Any]:
    """The file's data; a syntax error is told with its line and column."""
    try:
        data = yaml.safe_load(text) if fmt == "yaml" else tomllib.loads(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if mark is None:
            bad = Text(_("{source} is not valid YAML: {problem}"), source=source, problem=problem)
        else:
            at = _("{source} is not valid YAML (line {line}, column {column}): {problem}")
            bad = Text(
                at, source=source, line=mark.line + 1, column=mark.column + 1, problem=problem
            )
        raise DirectoryError(bad) from None
    except tomllib.TOMLDecodeError as error:
        bad = Text(_("{source} is not valid TOML: {problem}"), source=source, problem=str(error))
        raise DirectoryError(bad) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        shape = _("{source} must hold a mapping with {sections}")
        raise DirectoryError(Text(shape, source=source, sections=", ".join(SECTIONS)))
    return data


def read_file(path: Path) -> dict[str, Any]:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        suffix = _("the name must end in .yaml, .yml or .toml")
        raise DirectoryError(Text(suffix), str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DirectoryError(verbatim(str(error.strerror or error)), str(path)) from None
    return parse(text, fmt, str(path))


def check(data: Mapping[str, Any]) -> Plan:
    """Every problem of the file at once, so one edit fixes them all; nothing is written."""
    plan, problems = Plan(), []
    unknown = [key for key in data if key not in SECTIONS]
    if unknown:
        expected = _("unknown section; expected {sections}")
        problems.append(_at(unknown[0], Text(expected, sections=", ".join(SECTIONS))))
    if not any(data.get(section) for section in SECTIONS):
        empty = _("nothing to import: the file has none of {sections}")
        problems.append(Text(empty, sections=", ".join(SECTIONS)))
    for section, checker in (
        ("lines", _check_lines),
        ("operators", _check_operators),
        ("members", _check_members),
        ("quick_replies", _check_quick_replies),
        ("entry_points", _check_entry_points),
        ("rules", _check_rules),
    ):
        if data.get(section) is not None:
            checker(data[section], plan, problems)
    if problems:
        raise DirectoryError(Text("{problems}", problems=problems))
    return plan


def _at(where: str, text: Text) -> Text:
    return DirectoryError(text, where).located


def _items(value: Any, section: str, problems: list[Text]) -> list[tuple[str, Any]]:
    if not isinstance(value, list):
        problems.append(_at(section, Text(_("must be a list"))))
        return []
    return [(f"{section}[{index}]", item) for index, item in enumerate(value)]


def _mapping(value: Any, where: str, problems: list[Text]) -> Mapping[str, Any] | None:
    if isinstance(value, Mapping):
        return value
    problems.append(_at(where, Text(_("must be a mapping"))))
    return None


def _check_lines(value: Any, plan: Plan, problems: list[Text]) -> None:
    seen: set[str] = set()
    for where, raw in _items(value, "lines", problems):
        item = _mapping(raw, where, problems)
        if item is None:
            continue
        values = {k: v for k, v in item.items() if k not in ("slug", "members")}
        try:
            slug = checks.check_slug(item.get("slug"))
            if slug in seen:
                twice = Text(_("line {slug!r} is described twice"), slug=slug)
                raise DirectoryError(twice, "slug")
            checks.check_line(values, new=True)
        except DirectoryError as error:
            problems.append(error.at(where).located)
            continue
        seen.add(slug)
        plan.lines.append((where, slug, values))
        _check_member_list(item.get("members") or [], slug, f"{where}.members", plan, problems)


def _check_operators(value: Any, plan: Plan, problems: list[Text]) -> None:
    seen: dict[tuple[str, Any], str] = {}
    for where, raw in _items(value, "operators", problems):
        item = _mapping(raw, where, problems)
        if item is None:
            continue
        try:
            values = checks.check_operator(item, new=True)
            for key in ("telegram_user_id", "slack_user_id"):
                if values.get(key) is not None and (key, values[key]) in seen:
                    same = Text(_("is the same as {where}'s"), where=seen[key, values[key]])
                    raise DirectoryError(same, key)
        except DirectoryError as error:
            problems.append(error.at(where).located)
            continue
        for key in ("telegram_user_id", "slack_user_id"):
            if values.get(key) is not None:
                seen[key, values[key]] = where
        plan.operators.append((where, dict(item)))


def _check_members(value: Any, plan: Plan, problems: list[Text]) -> None:
    members = _mapping(value, "members", problems)
    for slug, refs in (members or {}).items():
        _check_member_list(refs, str(slug), f"members.{slug}", plan, problems)


def _check_member_list(refs: Any, slug: str, where: str, plan: Plan, problems: list[Text]) -> None:
    for item_where, ref in _items(refs, where, problems):
        try:
            checks.parse_operator_ref(ref)
        except DirectoryError as error:
            problems.append(error.at(item_where).located)
            continue
        plan.members.append((item_where, slug, ref))


def _check_quick_replies(value: Any, plan: Plan, problems: list[Text]) -> None:
    for where, raw in _items(value, "quick_replies", problems):
        item = _mapping(raw, where, problems)
        if item is None:
            continue
        try:
            checks.check_quick_reply(item)
        except DirectoryError as error:
            problems.append(error.at(where).located)
            continue
        plan.quick_replies.append((where, dict(item)))


def _check_entry_points(value: Any, plan: Plan, problems: list[Text]) -> None:
    entry_points = _mapping(value, "entry_points", problems)
    for key, slug in (entry_points or {}).items():
        where = f"entry_points.{key}"
        try:
            checks.check_entry_point_key(key)
            if not isinstance(slug, str):
                raise DirectoryError(Text(_("must be the slug of a line")))
        except DirectoryError as error:
            problems.append(error.at(where).located)
            continue
        plan.entry_points.append((where, str(key), slug))


def _check_rules(value: Any, plan: Plan, problems: list[Text]) -> None:
    """Rules in the order of the file, which is their order in each list; the lines,
    operators and quick replies they name are checked when they are saved, after the rest
    of the file is."""
    seen: set[tuple[Any, Any]] = set()
    positions = {"incoming": 0, "changed": 0}
    for where, raw in _items(value, "rules", problems):
        item = _mapping(raw, where, problems)
        if item is None:
            continue
        try:
            checked = check_rule(item)
            if (checked.kind, checked.name) in seen:
                twice = Text(_("rule {name!r} is described twice"), name=checked.name)
                raise DirectoryError(twice, "name")
        except DirectoryError as error:
            problems.append(error.at(where).located)
            continue
        seen.add((checked.kind, checked.name))
        position = positions[checked.kind.value]
        positions[checked.kind.value] += 1
        plan.rules.append((where, {"position": position} | dict(item)))


async def apply(
    plan: Plan,
    *,
    actor_name: str = CLI,
    configured: Sequence[tuple[str, str]] = (),
    allow_private: bool = False,
) -> ImportReport:
    """One transaction: a line that turns out to clash with the database undoes the lot.
    Operators go before members, lines before everything that names them. `configured`
    are the workspaces the settings name (kind, chat): their line is the default line."""
    report = ImportReport()

    async def step(section: str, where: str, call: Awaitable[tuple[Any, Change]]) -> None:
        try:
            _, change = await call
        except DirectoryError as error:
            raise error.at(where) from None
        report.counts[section][change] += 1

    async with in_transaction():
        before = await _lines_in(configured)
        for where, slug, values in plan.lines:
            await step("lines", where, save_line(slug, values, actor_name=actor_name))
        report.notes = await _check_configured(plan, before, await _lines_in(configured))
        for where, values in plan.operators:
            await step("operators", where, save_operator(values, actor_name=actor_name))
        for where, slug, ref in plan.members:
            await step("members", where, add_member(slug, ref, actor_name=actor_name))
        for where, values in plan.quick_replies:
            call = save_quick_reply(values, actor_name=actor_name)
            await step("quick_replies", where, call)
        for where, key, slug in plan.entry_points:
            await step("entry_points", where, set_entry_point(key, slug, actor_name=actor_name))
        for where, values in plan.rules:
            call = save_rule(values, actor_name=actor_name, allow_private=allow_private)
            await step("rules", where, call)
    return report


async def _lines_in(configured: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Line | None]:
    return {
        (kind, chat): await Line.get_or_none(workspace_kind=kind, workspace_chat=chat)
        for kind, chat in configured
    }


async def _check_configured(
    plan: Plan,
    before: Mapping[tuple[str, str], Line | None],
    after: Mapping[tuple[str, str], Line | None],
) -> list[str]:
    """A file may name the line of a workspace the settings point to (it becomes the default
    line), but moving that line away contradicts the settings: the next `relaydesk run`
    would put a line back there. That is refused; the rest is said as a note."""
    notes = []
    for (kind, chat), line in after.items():
        setting = WORKSPACE_SETTINGS[kind]
        old = before[kind, chat]
        if line is None and old is not None:
            moved = await Line.get(id=old.id)
            where = next((w for w, slug, _ in plan.lines if slug == old.slug), "lines")
            contradiction = _(
                "line {slug!r} lives in {kind}:{chat}, where {setting} points; the file "
                "moves it to {new_kind}:{new_chat}, and the next "
                "`relaydesk run` would put a line back in {kind}:{chat}. Change {setting} "
                "as well, or keep the line's workspace"
            )
            text = Text(
                contradiction,
                slug=old.slug,
                kind=kind,
                chat=chat,
                setting=setting,
                new_kind=moved.workspace_kind,
                new_chat=moved.workspace_chat,
            )
            raise DirectoryError(text, "workspace").at(where)
        if line is not None and (old is None or old.slug != line.slug):
            notes.append(
                f"line {line.slug!r} lives in {kind}:{chat}, where {setting} points: "
                "it is the default line"
            )
    return notes


async def import_file(
    path: Path, *, actor_name: str = CLI, settings: Settings | None = None
) -> ImportReport:
    """Read, check all of it, then apply; the database must be connected. With `settings`,
    a file that contradicts them is refused (see `_check_configured`)."""
    configured = (
        [(kind, chat) for kind, chat, _ in configured_workspaces(settings)] if settings else []
    )
    allow_private = settings.webhook_allow_private if settings else False
    return await apply(
        check(read_file(path)),
        actor_name=actor_name,
        configured=configured,
        allow_private=allow_private,
    )
