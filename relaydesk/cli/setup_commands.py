"""`relaydesk lines|operators|members|entry-points|import`: thin commands over
`bot.directory`, whose checks and changes the admin panel shares."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.base.settings import Settings
from bot.directory import DirectoryError
from bot.directory.checks import LINE_FIELDS as LINE_CHECKS
from bot.directory.checks import OPERATOR_FIELDS as OPERATOR_CHECKS
from bot.directory.entry_points import list_entry_points, set_entry_point
from bot.directory.lines import create_line, list_lines, remove_line, update_line
from bot.directory.members import add_member, list_members, remove_member
from bot.directory.operators import add_operator, list_operators, update_operator
from storage.models import Line, Operator

Handler = Callable[[argparse.Namespace], Awaitable[None]]


def cmd_directory(settings: Settings, handler: Handler, args: argparse.Namespace) -> int:
    """Opens the database itself, migrated first, so a fresh install can be set up before
    its first `relaydesk run`. A refusal is one plain line per problem, exit code 2."""
    from storage.db import apply_migrations, connect, disconnect

    if settings.log_level.upper() != "DEBUG":  # an admin at a terminal wants the result only
        for name in ("tortoise", "aerich"):
            logging.getLogger(name).setLevel(logging.WARNING)

    args.settings = settings  # for the handlers that check what they do against it

    async def run() -> None:
        await apply_migrations(settings.database_url)
        await connect(settings.database_url)
        try:
            await handler(args)
        finally:
            await disconnect()

    try:
        asyncio.run(run())
    except DirectoryError as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    return 0


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]], empty: str) -> None:
    if not rows:
        print(empty)
        return
    cells = [[("-" if cell is None else str(cell)) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _given(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    """Only the options typed: `lines set` changes what it is told and nothing else."""
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def _workspace(line: Line) -> str:
    return f"{line.workspace_kind}:{line.workspace_chat}"


def _accounts(operator: Operator) -> str:
    found = [
        f"telegram:{operator.telegram_user_id}" if operator.telegram_user_id else None,
        f"@{operator.telegram_username}" if operator.telegram_username else None,
        f"slack:{operator.slack_user_id}" if operator.slack_user_id else None,
    ]
    return " ".join(a for a in found if a) or "-"


def _said(thing: str, change: str, fields: str = "") -> str:
    if change == "unchanged":
        return f"{thing}: nothing to change."
    return f"{thing} {change}" + (f": {fields}." if fields else ".")


async def lines_list(args: argparse.Namespace) -> None:
    rows = [
        (
            s.line.slug,
            s.line.name,
            _workspace(s.line),
            s.line.routing_policy,
            s.line.reply_mode,
            "set" if s.line.business_hours else "always",
            s.members,
        )
        for s in await list_lines()
    ]
    header = ("SLUG", "NAME", "WORKSPACE", "ROUTING", "REPLIES", "HOURS", "MEMBERS")
    _table(header, rows, "No lines yet: relaydesk lines add SLUG --name ... --workspace ...")


async def lines_add(args: argparse.Namespace) -> None:
    line = await create_line(args.slug, _given(args, LINE_FIELDS))
    print(f"Line {line.slug} created in {_workspace(line)}.")


async def lines_set(args: argparse.Namespace) -> None:
    values = _given(args, LINE_FIELDS)
    _, change = await update_line(args.slug, values)
    print(_said(f"Line {args.slug}", change))


async def lines_remove(args: argparse.Namespace) -> None:
    await remove_line(args.slug)
    print(f"Line {args.slug} removed.")


async def operators_list(args: argparse.Namespace) -> None:
    rows = [
        (
            o.operator.id,
            o.operator.name,
            _accounts(o.operator),
            o.operator.role,
            o.operator.status,
            o.operator.capacity,
            o.operator.language,
            ", ".join(o.lines) or None,
        )
        for o in await list_operators()
    ]
    header = ("ID", "NAME", "ACCOUNTS", "ROLE", "STATUS", "CAPACITY", "LANGUAGE", "LINES")
    _table(header, rows, "No operators yet: relaydesk operators add --name ... --telegram-id ...")


async def operators_add(args: argparse.Namespace) -> None:
    operator = await add_operator(_given(args, OPERATOR_FIELDS))
    print(f"Operator {operator.id} ({operator.name}) created.")


async def operators_set(args: argparse.Namespace) -> None:
    values = _given(args, OPERATOR_FIELDS)
    operator, change = await update_operator(args.operator, values)
    print(_said(f"Operator {operator.id} ({operator.name})", change))


async def members_list(args: argparse.Namespace) -> None:
    rows = [
        (o.id, o.name, o.status, o.role, o.capacity, _accounts(o))
        for o in await list_members(args.line)
    ]
    header = ("ID", "NAME", "STATUS", "ROLE", "CAPACITY", "ACCOUNTS")
    _table(header, rows, f"Line {args.line} has no members yet.")


async def members_add(args: argparse.Namespace) -> None:
    operator, change = await add_member(args.line, args.operator)
    if change == "unchanged":
        print(f"{operator.name} is already a member of line {args.line}.")
    else:
        print(f"{operator.name} added to line {args.line}.")


async def members_remove(args: argparse.Namespace) -> None:
    operator = await remove_member(args.line, args.operator)
    print(f"{operator.name} removed from line {args.line}.")


async def entry_points_list(args: argparse.Namespace) -> None:
    rows = [(e.key, e.channel, e.name, e.line.slug) for e in await list_entry_points()]
    _table(("KEY", "CHANNEL", "NAME", "LINE"), rows, "No entry points yet.")


async def entry_points_set(args: argparse.Namespace) -> None:
    _, change = await set_entry_point(args.key, args.line)
    print(_said(f"Entry point {args.key}", change, f"feeds line {args.line}"))


async def import_file(args: argparse.Namespace) -> None:
    from relaydesk.config_import import import_file as load

    report = await load(Path(args.file), settings=args.settings)
    if report.counts["rules"]["created"] or report.counts["rules"]["updated"]:
        await _announce_rules(args.settings)
    for line in [*report.summary(), *report.notes]:
        print(line)
    print("Imported." if report.changed else "Nothing changed: the database already matches.")


async def _announce_rules(settings: Any) -> None:
    """Running instances reload their rules at their next refresh: with Redis they look for
    a new version, so it is bumped; without it they reload anyway."""
    if not settings.redis_url:
        return
    import redis.asyncio as aioredis

    from bot.rules.book import VERSION_KEY

    client = aioredis.from_url(settings.redis_url)
    try:
        await client.incr(VERSION_KEY)
    finally:
        await client.aclose()


# --- argument parsing -------------------------------------------------------------------------


def _json_or_none(text: str) -> Any:
    if text.strip().lower() in ("", "none", "null"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None


def _yes_no(text: str) -> bool:
    if text.lower() in ("yes", "true", "on", "1"):
        return True
    if text.lower() in ("no", "false", "off", "0"):
        return False
    raise argparse.ArgumentTypeError("say yes or no")


def _minutes(text: str) -> int | None:
    if text.lower() in ("never", "none", "off"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a number of minutes, or never") from None


def _topic_list(text: str) -> list[str]:
    return [topic.strip() for topic in text.split(",") if topic.strip()]


LINE_OPTIONS: dict[str, dict[str, Any]] = {
    "--name": {"help": "the line's name"},
    "--workspace": {"help": "telegram:<forum chat id> or slack:<channel id>"},
    "--reply-mode": {"help": "all | marked (only `!reply ...` goes to the customer)"},
    "--routing-policy": {"help": "round_robin | least_busy | manual"},
    "--business-hours": {
        "type": _json_or_none,
        "help": 'JSON: {"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00"}}; none: always',
    },
    "--greeting": {"help": "sent when a conversation starts; empty: none"},
    "--out-of-hours-message": {"help": "sent out of business hours; empty: none"},
    "--closing-message": {"help": "sent on close; empty: none"},
    "--topics": {"type": _topic_list, "help": "comma-separated topics offered on close"},
    "--csat": {"dest": "csat_enabled", "type": _yes_no, "help": "ask for a rating: yes | no"},
    "--suggestions": {
        "dest": "suggestions",
        "type": _yes_no,
        "help": "suggest answers under customers' questions: yes | no",
    },
    "--auto-close-minutes": {"type": _minutes, "help": "close when quiet this long; never: off"},
}
LINE_FIELDS = tuple(LINE_CHECKS)
OPERATOR_OPTIONS: dict[str, dict[str, Any]] = {
    "--name": {"help": "the operator's name"},
    "--telegram-id": {"dest": "telegram_user_id", "type": int, "help": "Telegram user id"},
    "--telegram-username": {"help": "Telegram @username"},
    "--slack-id": {"dest": "slack_user_id", "help": "Slack user id (U...)"},
    "--role": {"help": "operator | supervisor | admin"},
    "--capacity": {"type": int, "help": "conversations at once"},
    "--status": {"help": "free | away | busy | dnd"},
    "--language": {"help": "en | ru | uk"},
}
OPERATOR_FIELDS = tuple(OPERATOR_CHECKS)
OPERATOR_REF = "telegram:<user id>, slack:<user id>, @telegram_username or the operator's number"


def _options(
    parser: argparse.ArgumentParser, options: dict[str, dict[str, Any]], required: tuple[str, ...]
) -> None:
    for flag, spec in options.items():
        parser.add_argument(flag, default=argparse.SUPPRESS, required=flag in required, **spec)


def _command(sub: Any, name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help)
    parser.set_defaults(handler=handler)
    return parser


def _group(sub: Any, name: str, help: str) -> Any:
    return sub.add_parser(name, help=help).add_subparsers(dest="action", required=True)


def register_directory(sub: Any) -> None:
    lines = _group(sub, "lines", "list, add, change and remove lines")
    _command(lines, "list", lines_list, "the lines and their member counts")
    add = _command(lines, "add", lines_add, "create a line")
    add.add_argument("slug")
    _options(add, LINE_OPTIONS, required=("--name", "--workspace"))
    change = _command(lines, "set", lines_set, "change a line's settings")
    change.add_argument("slug")
    _options(change, LINE_OPTIONS, required=())
    _command(lines, "remove", lines_remove, "remove a line without history").add_argument("slug")

    operators = _group(sub, "operators", "list, add and change operators")
    _command(operators, "list", operators_list, "the operators and their lines")
    _options(
        _command(operators, "add", operators_add, "add an operator"), OPERATOR_OPTIONS, ("--name",)
    )
    change = _command(operators, "set", operators_set, "change an operator")
    change.add_argument("operator", help=OPERATOR_REF)
    _options(change, OPERATOR_OPTIONS, required=())

    members = _group(sub, "members", "who works in a line")
    _command(members, "list", members_list, "a line's members and statuses").add_argument("line")
    for name, handler, help in (
        ("add", members_add, "add an operator to a line (a new telegram:/slack: one is created)"),
        ("remove", members_remove, "take an operator out of a line"),
    ):
        parser = _command(members, name, handler, help)
        parser.add_argument("line")
        parser.add_argument("operator", help=OPERATOR_REF)

    entry_points = _group(sub, "entry-points", "which line each entry point feeds")
    _command(entry_points, "list", entry_points_list, "entry points and their lines")
    parser = _command(entry_points, "set", entry_points_set, "route an entry point to a line")
    parser.add_argument("key", help="the entry point, e.g. telegram:123456 (the bot's id)")
    parser.add_argument("line")

    parser = _command(sub, "import", import_file, "apply a YAML or TOML file, all or nothing")
    parser.add_argument("file")
