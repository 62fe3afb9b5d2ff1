"""Waiting, bounded, for something a person would notice: a page, a log line, a health."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> None:
    """Until `check()` holds; fails the test after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"still not true after {within}s: {check}")
        await asyncio.sleep(0.05)


async def health(url: str) -> tuple[int, dict[str, Any]]:
    """`/healthz` as a load balancer or a monitor reads it."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
        return response.status, await response.json()
