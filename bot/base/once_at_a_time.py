"""Work for a key done once at a time: callers that come while it runs wait for its answer.

Under load many tasks want the same thing at the same moment (the first messages of a burst
all look up their entry point; an operator's answers all check their membership). The first
does the work; the others wait for its answer instead of doing it again, and do it
themselves if it failed (raised).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


async def once_at_a_time(
    running: dict[K, asyncio.Future[T | None]], key: K, work: Callable[[], Awaitable[T]]
) -> T:
    """`work()` for `key`; `running` holds the work under way, by key (an empty dict kept by
    the caller). `work` answers something other than None."""
    pending = running.get(key)
    if pending is not None:
        answer = await asyncio.shield(pending)
        return answer if answer is not None else await once_at_a_time(running, key, work)
    pending = running[key] = asyncio.get_running_loop().create_future()
    answer = None
    try:
        answer = await work()
    finally:
        del running[key]
        pending.set_result(answer)
    return answer
