"""Several `relaydesk run` processes on one PostgreSQL database and one Redis, in webhook
mode behind a load balancer (relaydesk/proxy.py), each reaching the fake Telegram through a
pass-through proxy of its own that counts its calls in flight."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp import web

from bridges.telegram import WEBHOOK_PATH
from relaydesk.proxy import RoundRobin, serve
from tests.fakes.desk import free_port
from tests.fakes.process import RelaydeskProcess
from tests.fakes.telegram import FakeTelegram


class Instance:
    """One `relaydesk run` in webhook mode and its own way to the fake."""

    def __init__(
        self,
        fake: FakeTelegram,
        database_url: str,
        folder: Path,
        hook: str,
        redis_url: str,
        **settings: str,
    ) -> None:
        folder.mkdir()
        self.to_fake = RoundRobin([fake.base_url])
        self.port = free_port()
        self.process = RelaydeskProcess(fake, database_url, folder)
        self.process.env |= {
            "RELAYDESK_TELEGRAM_API_URL": f"http://127.0.0.1:{self.port}",
            "RELAYDESK_TELEGRAM_MODE": "webhook",
            "RELAYDESK_TELEGRAM_WEBHOOK_URL": hook,
            "RELAYDESK_REDIS_URL": redis_url,
            "RELAYDESK_SCHEDULER_SECONDS": "2",
        } | settings
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        if self._runner is None:
            self._runner = await serve(self.to_fake, "127.0.0.1", self.port)
        await self.process.start()

    async def stop(self) -> None:
        await self.process.stop()
        if self._runner is not None:
            await self._runner.cleanup()


class Pair:
    """Two instances behind one round-robin address that the fake's webhook calls."""

    def __init__(self, one: Instance, two: Instance, balancer: RoundRobin) -> None:
        self.one, self.two, self.balancer = one, two, balancer


@contextlib.asynccontextmanager
async def two_instances(
    fake: FakeTelegram, database_url: str, folder: Path, redis_url: str, **settings: str
) -> AsyncIterator[Pair]:
    """Both started (the first migrates the fresh database), on one PostgreSQL database and
    the Redis of `redis_url`, emptied before and after; both stopped at the end."""
    if database_url.startswith("sqlite"):
        pytest.skip("several instances share a PostgreSQL database")
    redis = aioredis.from_url(redis_url)
    await redis.flushdb()
    hook_port = free_port()
    hook = f"http://127.0.0.1:{hook_port}{WEBHOOK_PATH}"
    one = Instance(fake, database_url, folder / "one", hook, redis_url, **settings)
    two = Instance(fake, database_url, folder / "two", hook, redis_url, **settings)
    balancer = RoundRobin([one.process.url, two.process.url])
    front = await serve(balancer, "127.0.0.1", hook_port)
    try:
        await one.start()
        await two.start()
        yield Pair(one, two, balancer)
    finally:
        await one.stop()
        await two.stop()
        await front.cleanup()
        await redis.flushdb()
        await redis.aclose()
