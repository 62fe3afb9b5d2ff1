"""Loaded by the desk's interpreter when the relay benchmark counts statements (this folder is
put first on its PYTHONPATH): every statement the desk sends to PostgreSQL through asyncpg is
noted with its time and the desk's code that sent it (a bulk insert, asyncpg's
`executemany`, as one: its rows go in one round trip), and written at exit to the file named
by RELAYDESK_BENCH_STATEMENTS (`tests/benchmarks/statements.py` reads it)."""

from __future__ import annotations

import atexit
import os
import sys
import time

_PATH = os.environ.get("RELAYDESK_BENCH_STATEMENTS")
_DESK = ("/bot/", "/bridges/", "/storage/")
_NOT_CALLERS = ("storage/prepared.py", "storage/cancellable_transactions.py")


def _caller() -> str:
    frame, found = sys._getframe(2), []
    while frame is not None and len(found) < 2:
        name = frame.f_code.co_filename
        if any(d in name for d in _DESK) and not name.endswith(_NOT_CALLERS):
            where = "/".join(name.split("/")[-2:])
            found.append(f"{where}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(found)


def _install(path: str) -> None:
    import asyncpg.connection

    noted: list[tuple[float, str, str]] = []
    connection = asyncpg.connection.Connection
    bound, simple, many = connection._execute, connection.execute, connection.executemany

    async def _execute(self, query, *args, **kwargs):  # every statement with parameters
        noted.append((time.monotonic(), " ".join(query.split()[:3])[:48], _caller()))
        return await bound(self, query, *args, **kwargs)

    async def execute(self, query, *args, **kwargs):  # BEGIN, COMMIT: no parameters
        if not args:
            noted.append((time.monotonic(), " ".join(query.split()[:3])[:48], _caller()))
        return await simple(self, query, *args, **kwargs)

    async def executemany(self, command, args, *more, **kwargs):  # bulk inserts: one trip
        noted.append((time.monotonic(), " ".join(command.split()[:3])[:40] + " (many)", _caller()))
        return await many(self, command, args, *more, **kwargs)

    connection._execute, connection.execute = _execute, execute
    connection.executemany = executemany

    def write() -> None:
        with open(path, "w") as out:
            out.writelines(f"{t:.6f}\t{q}\t{c}\n" for t, q, c in noted)

    atexit.register(write)


if _PATH and sys.argv[-1:] == ["run"]:
    _install(_PATH)
