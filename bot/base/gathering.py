"""Calls that come in the same few turns of the event loop, handled together.

Under load many tasks want the same kind of write at once (sends finishing, customers'
messages arriving side by side). Each waits here while a batch is being handled, and the
next batch takes all who came meanwhile; a call that comes alone is handled at once, after
`turns` turns of the loop that let the calls woken with it join.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Gathering(Generic[T, R]):
    def __init__(
        self, handle: Callable[[list[T]], Awaitable[list[R | BaseException]]], turns: int = 3
    ) -> None:
        """`handle` returns a result per item, in order, or what handling that item raised
        (raised to its caller)."""
        self._handle = handle
        self._turns = turns
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._handler: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """`item`'s result once its batch is handled; raises what handling it raised."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._handler is None:
            self._handler = asyncio.create_task(self._handle_all())
        return await done

    async def _handle_all(self) -> None:
        try:
            while self._waiting:
                for _ in range(self._turns):  # the calls woken in the same turn join
                    await asyncio.sleep(0)
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._handle([item for item, _ in batch])
                except Exception as error:  # each caller hears of it
                    results = [error] * len(batch)
                except BaseException:  # cancelled (the desk is stopping): so are the callers
                    for _, done in batch:
                        done.cancel()
                    raise
                for (_, done), result in zip(batch, results, strict=True):
                    _settle(done, result)
        finally:
            self._handler = None


def _settle(done: asyncio.Future[R], result: R | BaseException) -> None:
    if done.done():  # its caller was cancelled meanwhile (the desk is stopping)
        return
    if isinstance(result, BaseException):
        done.set_exception(result)
    else:
        done.set_result(result)
