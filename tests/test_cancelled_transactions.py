"""A task cancelled while it opens a transaction (shutdown, timeout, a cancelled send) must
leave the database usable: on SQLite it used to keep the connection's lock forever (every
later query waited, the hang of the old in-process crash test), on PostgreSQL it leaked a
pool connection each time until the pool was empty."""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from storage import db
from storage.models import Setting


async def test_a_transaction_cancelled_while_it_opens_does_not_wedge_the_database(
    database_url: str,
) -> None:
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:

        async def write() -> None:
            async with in_transaction():
                await Setting.create(key="k", value={"v": 1})

        for _ in range(20):  # cancelled at every point of opening, writing and committing
            for ticks in range(6):
                task = asyncio.create_task(write())
                for _ in range(ticks):
                    await asyncio.sleep(0)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await Setting.filter(key="k").delete()
        async with asyncio.timeout(5):
            await Setting.create(key="after", value={"ok": True})
            assert await Setting.filter(key="after").count() == 1
    finally:
        await db.disconnect()
