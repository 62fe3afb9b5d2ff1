"""Wiring: storage, the core, bridges and the outbox worker inside one aiohttp application."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

from aiohttp import web

from admin_web.panel import create_panel
from bot.base.clock import Clock
from bot.base.settings import Settings
from bot.base.setup_check import Finding, SetupCheck
from bot.core import Core, build_core
from bot.directory.configured_lines import configure_lines, first_line
from bridges.api.runtime import ApiBridge
from bridges.slack import EVENTS_PATH
from bridges.telegram import WEBHOOK_PATH
from bridges.telegram.turned_off import turned_off
from bridges.webchat.runtime import WebchatBridge
from relaydesk import probes
from relaydesk.bad_requests import log_bad_requests_on_one_line
from relaydesk.deferred_bridge import Bridge, DeferredBridge
from storage import db

log = logging.getLogger(__name__)


# The messengers' SDKs are imported when first needed, not with the desk, and in a thread
# while the desk serves: aiogram alone takes seconds (see relaydesk/deferred_bridge.py).
def _telegram_check() -> SetupCheck:
    from bridges.telegram import check

    return check.findings


def _slack_check() -> SetupCheck:
    from bridges.slack import check

    return check.findings


async def _telegram_findings(settings: Settings) -> list[Finding]:
    return await (await asyncio.to_thread(_telegram_check))(settings)


async def _slack_findings(settings: Settings) -> list[Finding]:
    return await (await asyncio.to_thread(_slack_check))(settings)


def _telegram_bridge() -> Bridge:
    from bridges.telegram import runtime

    return runtime.create_bridge()


def _slack_bridge() -> Bridge:
    from bridges.slack import runtime

    return runtime.create_bridge()


def _slack_wanted(core: Core) -> bool:
    return bool(core.settings.slack_bot_token or core.settings.slack_channel_id)


def _telegram_wanted(core: Core) -> bool:
    return not turned_off(core)


# What `relaydesk check` and the panel's empty dashboard ask each workspace.
SETUP_CHECKS: dict[str, SetupCheck] = {
    "Telegram": _telegram_findings,
    "Slack": _slack_findings,
}

CORE = web.AppKey("core", Core)
REDIS_CONNECTIONS = 100
REDIS_WAIT_SECONDS = 20.0
BRIDGES_KEY = web.AppKey("bridges", list)


class UnmigratedDatabase(RuntimeError):
    """`run` with RELAYDESK_AUTO_MIGRATE=false on a database that needs migrations."""


def create_bridges() -> list[Bridge]:
    """The workspaces' bridges and the admin panel, in the order they start. The workspaces
    load and connect in the background: the panel and /healthz serve meanwhile."""
    return [
        DeferredBridge("telegram", _telegram_bridge, [WEBHOOK_PATH], wanted=_telegram_wanted),
        DeferredBridge("slack", _slack_bridge, [EVENTS_PATH], wanted=_slack_wanted),
        ApiBridge(),  # aiohttp only: nothing slow to import
        WebchatBridge(),  # aiohttp only, like the API
        create_panel(),
    ]


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

    # A burst of requests (web chat visitors, API calls) each takes a lock: past the pool's
    # connections they wait for one instead of failing (redis-py's default pool raises).
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_SECONDS
    )
    client = aioredis.Redis.from_pool(pool)
    await client.ping()
    log.info("Using Redis for dedupe, locks and pacing")
    return client


class StartupError(RuntimeError):
    """`run` could not start; the message is one line a person can act on."""


def build_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    log_bad_requests_on_one_line()
    app = web.Application()
    bridges = create_bridges()

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            core = await _start(app, settings, clock, bridges, stack)
            worker = asyncio.create_task(core.worker.run())
            scheduler = asyncio.create_task(core.scheduler.run())
            live_settings = asyncio.create_task(core.live_settings.run())
            rules = asyncio.create_task(core.rules.book.run())
            try:
                yield
            finally:
                await core.rules.book.stop()
                await rules
                await core.live_settings.stop()
                await live_settings
                await core.scheduler.stop()
                await scheduler
                await core.worker.stop()
                await worker

    for bridge in bridges:
        bridge.install(app)
    app[BRIDGES_KEY] = bridges
    app.router.add_get("/healthz", _health)
    probes.install(app, CORE)
    app.cleanup_ctx.append(lifecycle)
    return app


async def _start(
    app: web.Application,
    settings: Settings,
    clock: Clock | None,
    bridges: list[Bridge],
    stack: AsyncExitStack,
) -> Core:
    """All of the desk or none of it: whatever fails here undoes what was opened (so the
    process exits instead of idling with a database thread alive) and says why in one line.
    A messenger that cannot be reached is not a failure: its bridge keeps trying, and the
    desk serves without waiting for it."""
    step = "the database"
    try:
        await prepare_database(settings)
        await db.connect(settings.database_url)
        stack.push_async_callback(db.disconnect)
        step = "Redis"
        redis = await connect_redis(settings)
        if redis is not None:
            stack.push_async_callback(redis.aclose)
        core = build_core(settings, clock=clock, redis=redis, setup_checks=SETUP_CHECKS)
        await core.live_settings.load()  # what an admin saved in the panel wins
        await core.rules.book.load()
        app[CORE] = core
        step = "the lines"
        core.default_line = await configure_lines(settings) or await first_line()
        if db.is_single_instance(settings.database_url):
            await core.worker.release_stale_claims()
        step = "the bridges"
        for bridge in bridges:
            stack.push_async_callback(bridge.stop)
            await bridge.start(app, core)
    except UnmigratedDatabase:
        raise
    except Exception as error:
        log.debug("Start-up failed at %s", step, exc_info=error)
        raise StartupError(f"could not start: {step} failed: {_reason(error)}") from error
    return core


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def _health(request: web.Request) -> web.Response:
    """Always 200 while the process serves, so a load balancer keeps it: `ok` is false and
    `components` says which workspace or channel is down and why (see README)."""
    core = request.app.get(CORE)
    if core is None:
        return web.json_response({"ok": False, "components": {}, "starting": True})
    return web.json_response(
        {
            "ok": core.health.ok,
            "components": core.health.describe(),
            "workspaces": core.connections.workspace_kinds,
            "customer_channels": core.connections.customer_channels,
        }
    )
