"""A fresh database for one benchmark run: a SQLite file in a folder, or a new database on the
local PostgreSQL server (dropped after); and a Redis database emptied before and after."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/12"  # the tests use 14 and 15


async def create_database(kind: str, folder: Path) -> tuple[str, str | None]:
    """(database URL, PostgreSQL database name or None)."""
    if kind == "sqlite":
        return f"sqlite://{folder / 'bench.db'}", None
    name = f"relaydesk_bench_{uuid.uuid4().hex[:8]}"
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


async def empty_redis(url: str = REDIS_URL) -> None:
    client = aioredis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
