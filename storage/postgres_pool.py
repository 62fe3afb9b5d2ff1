"""PostgreSQL through asyncpg, without the session reset on every statement.

tortoise takes a pool connection for each statement outside a transaction and gives it
back after; asyncpg's pool then resets the session (`SELECT pg_advisory_unlock_all();
CLOSE ALL; UNLISTEN *; RESET ALL;`), a second round trip for every such statement. The
desk keeps no session state — no SET, LISTEN, advisory locks or cursors — so the reset has
nothing to undo. asyncpg still rolls back a transaction left open before the connection
goes back (`Connection._reset`, which the pool runs before the reset given here).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The pool's reset: the session is as it was handed out (see the module's note)."""


class KeptSessionPostgresClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        return await asyncpg.create_pool(None, reset=_nothing_to_reset, **kwargs)


client_class = KeptSessionPostgresClient
