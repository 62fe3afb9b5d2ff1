"""SQLite run on the event loop's own thread, instead of aiosqlite's thread per connection.

tortoise gives SQLite one connection and serialises every statement on it with an asyncio
lock, so aiosqlite's thread buys no concurrency: it only hands each statement to its thread
and the result back through the loop's self-pipe, which costs more than the statement itself
(a desk's statements are index lookups and single-row writes of a few microseconds on a
local file in WAL mode, where a commit does not wait for the disk).

Statements that may run long — the panel's reports over a year of conversations — are still
run in a worker thread: `off_loop()` marks them, and the lock keeps them apart from every
other statement as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tortoise.backends.sqlite.client import SqliteClient

T = TypeVar("T")

# Set while a caller runs statements that may take long (see `off_loop`).
_OFF_LOOP: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_off_loop", default=False)


@contextlib.contextmanager
def off_loop() -> Iterator[None]:
    """Statements run inside go to a worker thread: the event loop keeps serving meanwhile."""
    token = _OFF_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_LOOP.reset(token)


class _Cursor:
    """What tortoise awaits of `execute`: a cursor it closes."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def close(self) -> None:
        self._cursor.close()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class InLoopConnection:
    """The part of `aiosqlite.Connection` that tortoise and aerich use, run in the caller's
    thread (or a worker thread inside `off_loop()`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        if _OFF_LOOP.get():
            return await asyncio.to_thread(call, *args)
        return call(*args)

    @property
    def total_changes(self) -> int:
        return self._conn.total_changes

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _Cursor:
        return _Cursor(await self._run(self._conn.execute, sql, parameters or ()))

    async def execute_insert(self, sql: str, parameters: Sequence[Any] | None = None) -> tuple:
        cursor = await self._run(self._conn.execute, sql, parameters or ())
        try:
            return (cursor.lastrowid,)
        finally:
            cursor.close()

    async def execute_fetchall(
        self, sql: str, parameters: Sequence[Any] | None = None
    ) -> list[sqlite3.Row]:
        return await self._run(_fetchall, self._conn, sql, parameters or ())

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> _Cursor:
        return _Cursor(await self._run(self._conn.executemany, sql, parameters))

    async def executescript(self, script: str) -> _Cursor:
        return _Cursor(await self._run(self._conn.executescript, script))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, name: str, num_params: int, func: Callable, **kw: Any) -> None:
        self._conn.create_function(name, num_params, func, **kw)

    async def close(self) -> None:
        self._conn.close()


def _fetchall(conn: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> list[Any]:
    cursor = conn.execute(sql, parameters)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _timestamp(raw: bytes) -> datetime | str:
    """A TIMESTAMP column as tortoise stored it (`2026-12-03 09:00:00.5+00:00`), read in C:
    tortoise's own parser (iso8601, in Python) was a twentieth of the desk's CPU. Anything
    else stays text, for tortoise to read as before."""
    text = raw.decode()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text


# sqlite3's converters are the module's (by declared column type, on connections opened with
# PARSE_DECLTYPES, which only this client opens); this replaces its deprecated default.
sqlite3.register_converter("TIMESTAMP", _timestamp)


class InLoopSqliteClient(SqliteClient):
    async def create_connection(self, with_db: bool) -> None:
        if self._connection:
            return
        # Used from a worker thread only under the client's lock (`off_loop`), never at once.
        conn = sqlite3.connect(
            self.filename,
            isolation_level=None,
            check_same_thread=False,
            detect_types=sqlite3.PARSE_DECLTYPES,
        )
        conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            conn.execute(f"PRAGMA {pragma}={value}").close()
        self._connection = InLoopConnection(conn)  # type: ignore[assignment]
        await self._post_connect()


client_class = InLoopSqliteClient
