"""Reads by key that come in the same turn of the event loop, made in one statement.

Under load many tasks read the same kind of row at once (a hundred operators' answers each
look up their topic and their operator). Each read waits here while a batch is being read,
and the next batch reads every key asked meanwhile with one statement (`IN (...)`); a key
asked several times is read once, and each caller gets a row of its own. A read that comes
alone is made at once, after one turn of the loop.

A read asked inside a transaction is made at once, alone and in that transaction: a batch
runs in the context of the read that started it, and must not carry the others' reads into
one caller's transaction (on SQLite they would wait for it to end).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, TypeVar

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.models import Model

from bot.base.gathering import Gathering

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReadsTogether(Generic[K, V]):
    def __init__(
        self, model: type[Model], read: Callable[[list[K]], Awaitable[Mapping[K, V]]]
    ) -> None:
        """`read(keys)`: the rows of `model` found for `keys` (distinct), by key."""
        self._model = model
        self._read = read
        self._batches: Gathering[K, V | None] = Gathering(self._read_all, 1)

    async def __call__(self, key: K) -> V | None:
        """The row of `key`, or None when there is none."""
        if isinstance(self._model._meta.db, TransactionalDBClient):
            return (await self._read([key])).get(key)
        return await self._batches.submit(key)

    async def _read_all(self, keys: list[K]) -> list[V | None | BaseException]:
        found = await self._read(list(dict.fromkeys(keys)))
        results: list[V | None | BaseException] = []
        given: set[K] = set()
        for key in keys:
            row = found.get(key)
            # Each caller has a row of its own: one may change it (and save it) unseen by
            # the others.
            results.append(copy.copy(row) if key in given else row)
            given.add(key)
        return results
