"""`/readyz`: ready only when the database, Redis and every configured messenger answer;
`/healthz` keeps saying the process serves."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from storage import db
from tests.fakes.desk import Desk
from tests.fakes.outage import come_back, go_away, nobody_listens
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waiting import eventually, health

QUICK_RETRIES = {"reconnect_first_seconds": 0.05, "reconnect_max_seconds": 0.3}
REDIS_URL = redis_url(SHARED)


async def ready(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as response:
        return response.status, await response.json()


async def test_ready_while_telegram_is_up_and_not_while_it_is_down(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = await Desk(fake_telegram, database_url, **QUICK_RETRIES).start()
    try:
        assert await ready(desk.url) == (200, {"ready": True, "not_ready": {}})

        await go_away(fake_telegram)
        await eventually(lambda: _not_ready(desk))
        status, body = await ready(desk.url)
        assert status == 503 and body["ready"] is False
        assert list(body["not_ready"]) == ["telegram"]
        assert body["not_ready"]["telegram"].startswith("down: Could not reach the Bot API")
        assert (await health(desk.url))[0] == 200  # alive all the same

        await come_back(fake_telegram)
        await eventually(lambda: _ready(desk))
    finally:
        await desk.stop()


async def test_ready_with_redis_and_not_when_redis_stops_answering(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = await Desk(fake_telegram, database_url, redis_url=REDIS_URL).start()
    answering = desk.core.redis
    _, url = nobody_listens()
    gone = aioredis.from_url(f"redis://{url.removeprefix('http://')}/0")
    try:
        assert (await ready(desk.url))[0] == 200
        desk.core.redis = gone  # what /readyz pings; the rest of the desk keeps its client
        status, body = await ready(desk.url)
        assert status == 503 and list(body["not_ready"]) == ["redis"]
        assert "ConnectionError" in body["not_ready"]["redis"]
    finally:
        desk.core.redis = answering
        await gone.aclose()
        await desk.stop()


async def _not_ready(desk: Desk) -> bool:
    return (await ready(desk.url))[0] == 503


async def _ready(desk: Desk) -> bool:
    return (await ready(desk.url))[0] == 200


async def test_not_ready_while_the_database_does_not_answer(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def hangs() -> None:  # a database behind a dropped connection
        await asyncio.sleep(30)

    monkeypatch.setattr(db, "ping", hangs)
    status, body = await ready(desk.url)

    assert status == 503
    assert body["not_ready"] == {"database": "No answer within 2 s."}
