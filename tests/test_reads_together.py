"""Reads by key of the same moment are made in one statement (`bot/base/reads_together.py`):
each caller gets the row of its key, a row of its own, and a read inside a transaction sees
that transaction's rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from bot.base.reads_together import ReadsTogether
from storage import db
from storage.models import Setting


@pytest.fixture
async def settings_stored(database_url: str):
    await db.apply_migrations(database_url)
    await db.connect(database_url)
    try:
        for key in ("greeting", "farewell", "signature"):
            await Setting.create(key=key, value={"text": key.title()})
        yield
    finally:
        await db.disconnect()


class CountedReads:
    def __init__(self) -> None:
        self.statements: list[list[str]] = []
        self.read = ReadsTogether(Setting, self._read)

    async def _read(self, keys: list[str]) -> dict[str, Setting]:
        self.statements.append(keys)
        return {s.key: s for s in await Setting.filter(key__in=keys)}


async def test_reads_of_one_moment_are_one_statement_and_each_caller_has_its_row(
    settings_stored: None,
) -> None:
    reads = CountedReads()

    found = await asyncio.gather(
        *(reads.read(key) for key in ("greeting", "farewell", "greeting", "missing"))
    )

    assert reads.statements == [["greeting", "farewell", "missing"]]
    assert [s.value["text"] if s else None for s in found] == [
        "Greeting",
        "Farewell",
        "Greeting",
        None,
    ]
    found[0].value = {"text": "Changed here"}
    assert found[2].value == {"text": "Greeting"}  # its own row, not the first caller's


async def test_a_read_inside_a_transaction_sees_its_rows_and_goes_alone(
    settings_stored: None,
) -> None:
    reads = CountedReads()

    outside = asyncio.create_task(reads.read("greeting"))  # not in the transaction
    async with asyncio.timeout(10), in_transaction():
        await Setting.create(key="new", value={"text": "Not committed yet"})
        found = await reads.read("new")
        assert found is not None and found.value == {"text": "Not committed yet"}
    assert (await outside).value == {"text": "Greeting"}
    assert sorted(reads.statements) == [["greeting"], ["new"]]
