"""The REST API from the outside: a system that posts its customers' messages with its key,
and its webhook receiver, which checks every signature as a real receiver must."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.base.webhook_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from bot.directory.api_entry_points import Issued, create_api_entry_point
from tests.fakes.desk import Desk


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1. `fail_next` answers that many calls 500 first."""

    secret: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    failures: int = 0
    fail_next: int = 0
    fail_always: bool = False
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        signed = verify(
            self.secret,
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            body,
            time.time(),
        )
        if not signed:
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.fail_always or self.fail_next > 0:
            self.fail_next -= 1
            self.failures += 1
            return web.Response(status=500)
        self.events.append(await request.json())
        return web.Response(status=204)

    def of_type(self, prefix: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"].startswith(prefix)]


class ApiClient:
    """A system calling the desk's API with its key."""

    def __init__(self, desk: Desk, key: str) -> None:
        self.desk = desk
        self.key = key

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        key: str | None = "default",
        idempotency_key: str | None = "new",
    ) -> tuple[int, Any, dict[str, str]]:
        sent: dict[str, str] = {}
        if key is not None:
            sent["Authorization"] = f"Bearer {self.key if key == 'default' else key}"
        if method == "POST" and idempotency_key is not None:
            sent["Idempotency-Key"] = (
                str(uuid.uuid4()) if idempotency_key == "new" else idempotency_key
            )
        sent.update(headers or {})
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method, self.desk.url + path, json=json, data=data, headers=sent
            ) as answer,
        ):
            body = await answer.json(content_type=None)
            return answer.status, body, dict(answer.headers)

    async def post_message(
        self, external_id: str, name: str, text: str, **kwargs: Any
    ) -> tuple[int, Any, dict[str, str]]:
        payload = {"contact": {"external_id": external_id, "name": name}, "text": text}
        return await self.call("POST", "/api/v1/messages", json=payload, **kwargs)


async def api_entry_point(
    desk: Desk, slug: str = "shop", receiver: Receiver | None = None, line: str | None = None
) -> tuple[ApiClient, Issued]:
    """An API entry point into line `line`, by default the desk's default line (with
    `receiver` as its webhook)."""
    default = desk.core.default_line
    assert default is not None
    issued = await create_api_entry_point(
        slug, line or default.slug, name="Shop", webhook_url=receiver.url if receiver else None
    )
    if receiver is not None:
        assert issued.webhook_secret
        receiver.secret = issued.webhook_secret
    assert issued.key
    return ApiClient(desk, issued.key), issued
