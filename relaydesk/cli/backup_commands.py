"""`relaydesk export FILE` and `relaydesk import-data FILE`: everything the desk stores, into
one file and back (storage/backup.py), to move a desk between SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.base.settings import Settings


def register(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="write everything the database holds to a file (JSON lines)",
        description="Reads RELAYDESK_DATABASE_URL in one snapshot; the desk may keep running.",
    )
    export.add_argument("file", type=Path)
    export.set_defaults(backup=cmd_export)
    load = sub.add_parser(
        "import-data",
        help="fill an empty database from a file written by `relaydesk export`",
        description="Migrates RELAYDESK_DATABASE_URL first; refuses a database that holds "
        "data. All or nothing: after a refusal or an error nothing is written.",
    )
    load.add_argument("file", type=Path)
    load.set_defaults(backup=cmd_import)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from storage.backup import BackupError
    from storage.db import apply_migrations, connect, disconnect

    if settings.log_level.upper() != "DEBUG":  # the result is what a terminal wants
        for name in ("tortoise", "aerich"):
            logging.getLogger(name).setLevel(logging.WARNING)

    async def run() -> dict[str, int]:
        await apply_migrations(settings.database_url)
        await connect(settings.database_url)
        try:
            return await args.backup(args.file)
        finally:
            await disconnect()

    try:
        counts = asyncio.run(run())
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error.filename or args.file}: {error.strerror}", file=sys.stderr)
        return 2
    verb = "Exported to" if args.backup is cmd_export else "Imported from"
    total = sum(counts.values())
    print(f"{verb} {args.file}: {total} rows")
    for table, count in counts.items():
        if count:
            print(f"  {table}: {count}")
    return 0


async def cmd_export(path: Path) -> dict[str, int]:
    from storage.backup import export_to

    return await export_to(path)


async def cmd_import(path: Path) -> dict[str, int]:
    from storage.backup import import_from

    return await import_from(path)
