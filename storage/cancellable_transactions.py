"""Opening a transaction must not wedge the database when the task is cancelled.

tortoise-orm 1.1 opens a transaction in ``__aenter__`` in two steps: it takes the connection
(SQLite: the connection's one asyncio lock; PostgreSQL: a connection from the pool) and then
awaits ``BEGIN``. A task cancelled during that await (a shutdown, a timeout, a cancelled
send) leaves ``__aenter__`` without ``__aexit__`` ever running, so the connection is never
given back. On SQLite every later query of the process then waits for the lock forever, with
an idle event loop; on PostgreSQL each such cancellation leaks a pool connection until the
pool is empty and every query waits. This module replaces those two methods with ones that
give the connection back when opening fails or is cancelled (after rolling back whatever
``BEGIN`` did). Everything else of tortoise's transactions is unchanged.
"""

from __future__ import annotations

import contextlib
from typing import Any

from tortoise.backends.base.client import TransactionContextPooled
from tortoise.backends.sqlite.client import SqliteTransactionContext
from tortoise.connection import get_connections


async def _enter_sqlite(self: SqliteTransactionContext) -> Any:
    await self._trxlock.acquire()
    token = None
    try:
        await self.ensure_connection()
        token = self.token = get_connections().set(self.connection_name, self.connection)
        await self.connection.begin()
    except BaseException:
        if token is not None:
            get_connections().reset(token)
        raw = getattr(self.connection, "_connection", None)
        if raw is not None:
            # Queued behind the BEGIN that may still run in aiosqlite's thread.
            with contextlib.suppress(Exception):
                await raw.rollback()
        self._trxlock.release()
        raise
    return self.connection


async def _enter_pooled(self: TransactionContextPooled) -> Any:
    await self.ensure_connection()
    pool = self.client._parent._pool
    self.client._connection = await pool.acquire()
    token = None
    try:
        token = self.token = get_connections().set(self.connection_name, self.client)
        await self.client.begin()
    except BaseException:
        if token is not None:
            get_connections().reset(token)
        # asyncpg resets (rolls back) a connection given back to its pool.
        with contextlib.suppress(Exception):
            await pool.release(self.client._connection)
        raise
    return self.client


def install() -> None:
    """Idempotent; called when `storage.db` is imported."""
    SqliteTransactionContext.__aenter__ = _enter_sqlite  # type: ignore[method-assign]
    TransactionContextPooled.__aenter__ = _enter_pooled  # type: ignore[method-assign]
