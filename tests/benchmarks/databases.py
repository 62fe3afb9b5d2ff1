"""A fresh database for one benchmark run: a SQLite file in a folder, or a new database on the
local PostgreSQL server (dropped after); and a Redis database emptied before and after."""

from __future__ import annotations

import redis.asyncio as aioredis

from tests.fakes.databases import PG_SERVER, create_database, drop_database
from tests.fakes.redis_db import SERVER

__all__ = ["PG_SERVER", "REDIS_URL", "create_database", "drop_database", "empty_redis"]

# The tests' server (RELAYDESK_TEST_REDIS), database 1: the tests use 4-15
# (tests/fakes/redis_db.py).
REDIS_URL = f"{SERVER}/1"


async def empty_redis(url: str = REDIS_URL) -> None:
    client = aioredis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
