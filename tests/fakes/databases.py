"""A fresh database: a SQLite file in a folder, or a new database on the PostgreSQL server
the tests use (`RELAYDESK_TEST_PG`), dropped after. The tests' fixtures and the benchmarks
share it."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

PG_SERVER = os.environ.get("RELAYDESK_TEST_PG", "postgres://postgres@127.0.0.1:5432")


async def create_database(
    kind: str, folder: Path, prefix: str = "relaydesk_test"
) -> tuple[str, str | None]:
    """(database URL, PostgreSQL database name or None)."""
    tag = uuid.uuid4().hex[:12]
    if kind == "sqlite":
        return f"sqlite://{folder / f'{prefix}_{tag}.db'}", None
    name = f"{prefix}_{tag}"
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return f"{PG_SERVER}/{name}", name


async def drop_database(name: str | None) -> None:
    if name:
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.asynccontextmanager
async def fresh_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgres"), dropped after."""
    url, name = await create_database(kind, folder)
    try:
        yield url
    finally:
        await drop_database(name)
