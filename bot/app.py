"""Wiring: storage, the core, bridges and the outbox worker inside one aiohttp application."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

from aiohttp import web

from bot.clock import Clock
from bot.core import Core, build_core
from bot.desk_settings import apply_saved
from bot.lines import configure_lines, first_line
from bot.redact import remember_settings
from bot.settings import Settings
from storage import db

log = logging.getLogger(__name__)

# Bridges and the admin panel are found by name: the core never imports a messenger SDK,
# and nothing in the core depends on the layers above it.
BRIDGES = (
    "bridges.telegram.runtime:create_bridge",
    "bridges.slack.runtime:create_bridge",
    "admin_web.panel:create_panel",
)

CORE = web.AppKey("core", Core)
BRIDGES_KEY = web.AppKey("bridges", list)


class Bridge(Protocol):
    def install(self, app: web.Application) -> None: ...

    async def start(self, app: web.Application, core: Core) -> None: ...

    async def stop(self) -> None: ...


class UnmigratedDatabase(RuntimeError):
    """`run` with RELAYDESK_AUTO_MIGRATE=false on a database that needs migrations."""


def load_bridge(path: str) -> Bridge:
    module_name, _, factory = path.partition(":")
    return getattr(importlib.import_module(module_name), factory)()


async def prepare_database(settings: Settings) -> None:
    if settings.auto_migrate:
        applied = await db.apply_migrations(settings.database_url)
        if applied:
            log.info("Applied migrations: %s", ", ".join(applied))
        return
    pending = await db.pending_migrations(settings.database_url)
    if pending:
        raise UnmigratedDatabase(
            f"The database has {len(pending)} unapplied migration(s) ({', '.join(pending)}). "
            "Run `relaydesk migrate`, or drop RELAYDESK_AUTO_MIGRATE=false "
            "to let `run` apply them."
        )


async def connect_redis(settings: Settings) -> Any:
    if not settings.redis_url:
        return None
    import redis.asyncio as aioredis

    client = aioredis.from_url(settings.redis_url)
    await client.ping()
    log.info("Using Redis for dedupe, locks and pacing")
    return client


def build_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    remember_settings(settings)
    app = web.Application()
    bridges = [load_bridge(path) for path in BRIDGES]

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await prepare_database(settings)
        await db.connect(settings.database_url)
        await apply_saved(settings)  # what an admin saved in the panel wins
        redis = await connect_redis(settings)
        core = build_core(settings, clock=clock, redis=redis)
        app[CORE] = core
        core.default_line = await configure_lines(settings) or await first_line()
        if db.is_single_instance(settings.database_url):
            await core.worker.release_stale_claims()
        for bridge in bridges:
            await bridge.start(app, core)
        worker = asyncio.create_task(core.worker.run())
        scheduler = asyncio.create_task(core.scheduler.run())
        try:
            yield
        finally:
            await core.scheduler.stop()
            await scheduler
            await core.worker.stop()
            await worker
            for bridge in bridges:
                await bridge.stop()
            if redis is not None:
                await redis.aclose()
            await db.disconnect()

    for bridge in bridges:
        bridge.install(app)
    app[BRIDGES_KEY] = bridges
    app.router.add_get("/healthz", _health)
    app.cleanup_ctx.append(lifecycle)
    return app


async def _health(request: web.Request) -> web.Response:
    core = request.app.get(CORE)
    return web.json_response(
        {
            "ok": core is not None,
            "workspaces": sorted(core.workspaces) if core else [],
            "customer_channels": sorted(core.customers) if core else [],
        }
    )
