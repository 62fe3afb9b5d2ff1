"""The serving desk's heap and Python's garbage collector.

What start-up builds (aiogram's and pydantic's types and schemas, tortoise's models, the
translations) lives as long as the process: a few hundred thousand objects. Each full
collection walked all of them again, and in a burst one ran every second or so: at about
0.1 to 0.2 s each, a fifth of the desk's CPU. Once the desk is up and its bridges are loaded
(they import their SDKs in the background), what start-up left is collected once and frozen
(`gc.freeze`): later collections walk only what was made since.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from relaydesk.app import BRIDGES_KEY
from relaydesk.deferred_bridge import DeferredBridge

log = logging.getLogger(__name__)


async def _freeze_once_loaded(app: web.Application) -> None:
    deferred = [b for b in app[BRIDGES_KEY] if isinstance(b, DeferredBridge)]
    await asyncio.gather(*(bridge.loaded() for bridge in deferred))
    gc.collect()
    gc.freeze()
    log.info("%d objects of start-up set aside from garbage collection", gc.get_freeze_count())


async def _frozen_start(app: web.Application) -> AsyncIterator[None]:
    freezing = asyncio.create_task(_freeze_once_loaded(app))
    yield
    freezing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await freezing


def serve_with_a_frozen_start(app: web.Application) -> web.Application:
    """`app` (`build_app`'s), freezing the heap once the desk and its bridges are up."""
    app.cleanup_ctx.append(_frozen_start)
    return app
