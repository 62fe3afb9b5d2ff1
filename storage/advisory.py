"""PostgreSQL's transaction-level advisory locks: one holder among every instance of a desk
that shares the database, released by the server when the holder's connection drops (a
killed instance holds nothing). Session-level locks are not used: the pool keeps sessions
unreset (`storage.postgres_pool`)."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.transactions import in_transaction


def lock_key(name: str) -> int:
    """A stable 32-bit key for a lock's name (PostgreSQL takes a bigint)."""
    return zlib.crc32(f"relaydesk:{name}".encode())


@asynccontextmanager
async def held(name: str) -> AsyncIterator[bool]:
    """True inside if this instance holds `name` until the block ends, False if another
    does. The lock lives in a transaction of its own, in a task of its own, so that the
    block's queries do not run inside it."""
    taken: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    done = asyncio.Event()

    async def hold() -> None:
        try:
            async with in_transaction() as connection:
                rows = await connection.execute_query_dict(
                    "SELECT pg_try_advisory_xact_lock($1) AS taken", [lock_key(name)]
                )
                taken.set_result(bool(rows[0]["taken"]))
                if rows[0]["taken"]:
                    await done.wait()
        except BaseException as error:
            if not taken.done():
                taken.set_exception(error)
            raise

    holder = asyncio.create_task(hold())
    try:
        mine = await taken
    except BaseException:
        holder.cancel()
        with contextlib.suppress(BaseException):
            await holder
        raise
    try:
        yield mine
    finally:
        done.set()
        await holder
