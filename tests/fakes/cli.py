"""The `relaydesk` CLI's tests run it the way a shell does, on the CLI's own event loop; this
looks into its database from such a plain (not async) test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage import db

T = TypeVar("T")


def in_database(database_url: str, query: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await db.connect(database_url)
        try:
            return await query()
        finally:
            await db.disconnect()

    return asyncio.run(run())
