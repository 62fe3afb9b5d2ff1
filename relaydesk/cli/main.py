"""The `relaydesk` command: run, migrate, check; lines, operators, members and entry points
(relaydesk/cli/setup_commands.py); admin panel accounts (relaydesk/cli/account_commands.py);
export and import-data (relaydesk/cli/backup_commands.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from aiohttp import web
from pydantic import ValidationError

from bot.base.settings import Settings
from relaydesk.cli import account_commands as cli_accounts
from relaydesk.cli import api_commands as cli_api
from relaydesk.cli import backup_commands as cli_backup
from relaydesk.cli import webchat_commands as cli_webchat
from relaydesk.cli.setup_commands import cmd_directory, register_directory
from relaydesk.logs import configure_logging


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = "RELAYDESK_" + "_".join(str(p) for p in problem["loc"]).upper()
            print(f"Setting {name}: {problem['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(settings: Settings) -> int:
    """Serves, or exits non-zero with the reason in one line: never half-started."""
    from relaydesk.app import StartupError, UnmigratedDatabase, build_app
    from relaydesk.heap import serve_with_a_frozen_start

    try:
        web.run_app(
            serve_with_a_frozen_start(build_app(settings)),
            host=settings.http_host,
            port=settings.http_port,
            print=lambda *_: logging.getLogger("relaydesk").info(
                "Listening on http://%s:%s", settings.http_host, settings.http_port
            ),
        )
    except (UnmigratedDatabase, StartupError) as error:
        print(f"relaydesk run: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_migrate(settings: Settings) -> int:
    from storage.db import apply_migrations

    applied = asyncio.run(apply_migrations(settings.database_url))
    print("Applied: " + ", ".join(applied) if applied else "The database is up to date.")
    return 0


def cmd_check(settings: Settings) -> int:
    from bot.base.i18n import Translator
    from bot.base.setup_check import setup_findings
    from relaydesk.app import SETUP_CHECKS

    translator = Translator()
    ok = True
    for good, text in asyncio.run(setup_findings(settings, SETUP_CHECKS)):
        ok = ok and good
        print(("✔ " if good else "✘ ") + translator.render("en", text))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="relaydesk", description="Operator workspace in Telegram."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve: bots, outbox worker and HTTP server")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("check", help="check the Telegram and Slack tokens, chats and rights")
    register_directory(sub)
    cli_accounts.register(sub)
    cli_api.register(sub)
    cli_webchat.register(sub)
    cli_backup.register(sub)
    args = parser.parse_args(argv)
    settings = _settings()
    # Taken off again on the way out: called in a process that goes on (a test, a script),
    # a handler left behind would write every later log line to a stream closed by then.
    handler = configure_logging(settings)
    try:
        if args.command in BASIC_COMMANDS:
            return BASIC_COMMANDS[args.command](settings)
        if hasattr(args, "backup"):
            return cli_backup.cmd_backup(settings, args)
        return cmd_directory(settings, args.handler, args)
    finally:
        logging.getLogger().removeHandler(handler)


BASIC_COMMANDS: dict[str, Callable[[Settings], int]] = {
    "run": cmd_run,
    "migrate": cmd_migrate,
    "check": cmd_check,
}


if __name__ == "__main__":
    raise SystemExit(main())
