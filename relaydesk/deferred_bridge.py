"""A workspace bridge loaded after the desk serves: importing aiogram alone takes seconds
(pydantic builds its models), and the admin panel, /healthz and the other workspace need not
wait for it. Meanwhile the component is `starting`, so the outbox holds its deliveries
(waiting, not failing) and sends them once the bridge reports it up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from aiohttp import web

from bot.base.health import Outage
from bot.core import Core

log = logging.getLogger(__name__)

# How long a webhook request that came before its bridge waits for it; the sender (Telegram,
# Slack) retries a request that was not answered 2xx.
LOAD_WAIT_SECONDS = 30.0


class Bridge(Protocol):
    def install(self, app: web.Application) -> None: ...

    async def start(self, app: web.Application, core: Core) -> None: ...

    async def stop(self) -> None: ...


class DeferredBridge:
    """`factory` imports the bridge's module and builds it; it runs in a thread, so the event
    loop keeps serving while the import works. `paths` are the bridge's POST routes (fixed
    before the server starts): requests to them wait until the bridge is there. `wanted`
    says whether the settings ask for this bridge at all (telling `core.health` why not);
    if not, its SDK is never imported."""

    def __init__(
        self,
        component: str,
        factory: Callable[[], Bridge],
        paths: Sequence[str],
        wanted: Callable[[Core], bool] = lambda _: True,
    ) -> None:
        self.component = component
        self._factory = factory
        self._paths = paths
        self._wanted = wanted
        self.bridge: Bridge | None = None
        self._routes = web.Application()  # the bridge's own routes, once it is built
        self._loaded = asyncio.Event()
        self._loading: asyncio.Task[None] | None = None

    def install(self, app: web.Application) -> None:
        for path in self._paths:
            app.router.add_post(path, self._forward)

    async def start(self, app: web.Application, core: Core) -> None:
        if not self._wanted(core):
            self._loaded.set()
            return
        core.health.starting(self.component)
        self._loading = asyncio.create_task(self._load(app, core))

    async def loaded(self) -> Bridge | None:
        """The bridge once it was built and started (None if not wanted or it failed)."""
        await self._loaded.wait()
        return self.bridge

    async def _load(self, app: web.Application, core: Core) -> None:
        try:
            bridge = await asyncio.to_thread(self._factory)
            bridge.install(self._routes)
            self.bridge = bridge
            await bridge.start(app, core)
        except Exception as error:
            log.exception("The %s bridge could not start", self.component)
            core.health.down(self.component, Outage.unexpected(error, core.redactor))
        finally:
            self._loaded.set()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        try:
            async with asyncio.timeout(LOAD_WAIT_SECONDS):
                bridge = await self.loaded()
        except TimeoutError:
            raise web.HTTPServiceUnavailable(text=f"{self.component} is starting") from None
        if bridge is None:
            raise web.HTTPNotFound(text=f"{self.component} is not enabled")
        match = await self._routes.router.resolve(request)
        return await match.handler(request)

    async def stop(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loading
        if self.bridge is not None:
            await self.bridge.stop()
