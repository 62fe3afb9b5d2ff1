"""`/readyz` and `/metrics` on the desk's one HTTP server, beside `/healthz` (relaydesk/app)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from tortoise.exceptions import BaseORMException

from bot.base.metrics_access import refusal
from bot.base.readiness import not_ready
from bot.core import Core
from bot.reports import live_gauges

log = logging.getLogger(__name__)

# Prometheus gives up on a scrape after 10 s by default.
GAUGES_WITHIN = 5.0
DATABASE_ERRORS = (TimeoutError, OSError, BaseORMException)


def install(app: web.Application, core_key: web.AppKey[Core]) -> None:
    async def readyz(request: web.Request) -> web.Response:
        """200 when the database, Redis (when configured) and every configured workspace
        and channel answer; else 503 naming what is not ready and why."""
        core = request.app.get(core_key)
        if core is None:
            starting = {"ready": False, "not_ready": {"desk": "starting"}}
            return web.json_response(starting, status=503)
        problems = await not_ready(core.health, core.redis, core.redactor, core.translator)
        if problems:
            return web.json_response({"ready": False, "not_ready": problems}, status=503)
        return web.json_response({"ready": True, "not_ready": {}})

    async def metrics(request: web.Request) -> web.Response:
        core = request.app.get(core_key)
        if core is None:
            return web.Response(status=503)  # starting
        refused = refusal(core.settings, request.remote, request.headers.get("Authorization"))
        if refused is not None:
            headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
            text = core.translator.render("en", refused.text)
            return web.Response(status=refused.status, text=text, headers=headers)
        try:
            async with asyncio.timeout(GAUGES_WITHIN):
                await live_gauges.refresh(core.metrics)
        except DATABASE_ERRORS as error:  # said once a scrape (503), not a traceback each time
            log.warning("/metrics: the database did not answer: %s", core.redactor.describe(error))
            return web.Response(status=503)
        return web.Response(
            body=core.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
