"""A fresh database: a SQLite file in a folder, or a new database on the PostgreSQL server
the tests use (`RELAYDESK_TEST_PG`), dropped after. The tests' fixtures and the benchmarks
share it.

A migrated one is a copy of a template this process migrated once (a file copied, or
PostgreSQL's `CREATE DATABASE … TEMPLATE`): applying every migration to each test's database
cost 0.2 s on PostgreSQL, a copy costs nothing more than an empty database."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

PG_SERVER = os.environ.get("RELAYDESK_TEST_PG", "postgres://postgres@127.0.0.1:5432")


async def create_database(
    kind: str,
    folder: Path,
    prefix: str = "relaydesk_test",
    *,
    copy_of: tuple[str, str | None] | None = None,
) -> tuple[str, str | None]:
    """(database URL, PostgreSQL database name or None): empty, or a copy of the database
    `copy_of` (as this returned it) when given."""
    tag = uuid.uuid4().hex[:12]
    if kind == "sqlite":
        path = folder / f"{prefix}_{tag}.db"
        if copy_of is not None:
            shutil.copyfile(copy_of[0].removeprefix("sqlite://"), path)
        return f"sqlite://{path}", None
    name = f"{prefix}_{tag}"
    template = f' TEMPLATE "{copy_of[1]}"' if copy_of is not None else ""
    await _on_server(f'CREATE DATABASE "{name}"{template}')
    return f"{PG_SERVER}/{name}", name


async def drop_database(name: str | None) -> None:
    if name:
        await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _on_server(sql: str) -> None:
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


# This process's migrated templates: per kind, (URL, PostgreSQL database name or None).
_templates: dict[str, tuple[str, str | None]] = {}


async def _template(kind: str) -> tuple[str, str | None]:
    if kind not in _templates:
        from storage.db import apply_migrations

        folder = Path(tempfile.mkdtemp(prefix="relaydesk-template-"))
        url, name = await create_database(kind, folder, prefix="relaydesk_template")
        await apply_migrations(url)  # closes its connections: the template is free to copy
        _templates[kind] = (url, name)
    return _templates[kind]


async def drop_templates() -> None:
    """At the end of the run (the SQLite template's folder goes with the temporary files)."""
    for _, name in _templates.values():
        await drop_database(name)
    _templates.clear()


@contextlib.asynccontextmanager
async def fresh_database(kind: str, folder: Path, *, migrated: bool = False) -> AsyncIterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgres"), dropped after;
    `migrated`: with every migration applied."""
    template = await _template(kind) if migrated else None
    url, name = await create_database(kind, folder, copy_of=template)
    try:
        yield url
    finally:
        await drop_database(name)
