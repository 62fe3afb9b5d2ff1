"""On SQLite the desk's statements run on the event loop's thread (no hand-off to a thread
per statement); a report's long query runs in a worker thread, so that the desk keeps
relaying while a supervisor opens a year's report."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from tortoise import connections

from bot.reports import sql
from storage import db
from storage.models import Setting


def _slow_identity(value: int) -> int:
    time.sleep(0.3)
    return value


@pytest.fixture
async def sqlite_desk(tmp_path):
    url = f"sqlite://{tmp_path / 'relaydesk.db'}"
    await db.apply_migrations(url)
    await db.connect(url)
    await Setting.exists()  # the connection opens with the first statement
    raw = connections.get("default")._connection
    await raw.create_function("thread_of_statement", 0, threading.get_ident)
    await raw.create_function("slow_identity", 1, _slow_identity)
    try:
        yield
    finally:
        await db.disconnect()


async def _thread_of_statement() -> int:
    rows = await connections.get("default").execute_query_dict(
        "SELECT thread_of_statement() AS thread"
    )
    return rows[0]["thread"]


async def test_the_desks_statements_run_on_the_event_loops_thread(sqlite_desk) -> None:
    async with asyncio.timeout(10):
        await Setting.create(key="k", value={"v": 1})
        assert await _thread_of_statement() == threading.get_ident()
        assert (await Setting.get(key="k")).value == {"v": 1}


async def test_a_long_report_query_leaves_the_event_loop_serving(sqlite_desk) -> None:
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    beating = asyncio.create_task(heartbeat())
    try:
        async with asyncio.timeout(10):
            await asyncio.sleep(0.02)
            before = ticks
            rows = await sql.rows_of("SELECT slow_identity(7) AS answer", [])
            assert rows == [{"answer": 7}]
            assert ticks - before >= 10  # the loop ticked all through the 0.3 s query
            # and statements after it are back on the loop's thread
            assert await _thread_of_statement() == threading.get_ident()
    finally:
        beating.cancel()
