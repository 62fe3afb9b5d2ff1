"""`relaydesk create-admin NAME`: an account of the web admin panel, the first one included.
An account linked to an operator has the operator's role; `--role` with `--operator` sets it."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import Any

from bot.base.i18n import Text, _
from bot.directory import DirectoryError
from bot.directory.operators import find_operator
from bot.people.accounts import ROLES, create_account, role_of


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "create-admin",
        help="create an account of the web admin panel",
        description="The password is asked for twice, or read from standard input "
        "with --password-stdin (one line, for scripts).",
    )
    parser.add_argument("name")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument(
        "--role",
        choices=ROLES,
        help="with --operator: becomes the operator's role (the account has the role of its "
        "operator); without: only admin",
    )
    parser.add_argument(
        "--operator",
        help="the operator this account is (telegram:<id>, slack:<id>, @username or number); "
        "without it the account is an admin's",
    )
    parser.add_argument("--language", default="en", help="the panel's language: en, ru, uk")
    parser.set_defaults(handler=create_admin)


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise DirectoryError(Text(_("the two passwords differ")))
    return first


async def create_admin(args: argparse.Namespace) -> None:
    password = read_password(args)
    operator = await find_operator(args.operator) if args.operator else None
    account = await create_account(
        args.name,
        password,
        role=args.role,
        operator=operator,
        language=args.language,
        at=datetime.now(UTC),
    )
    role = role_of(account, operator)
    print(f"Created {role} account {account.username}. Sign in at /admin/login.")
