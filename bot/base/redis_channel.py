"""Listening on a Redis pub/sub channel for as long as the process runs: each message's data
goes to a callback; when Redis fails, the subscription is made again a little later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


async def listen(
    redis: Any,
    channel: str,
    on_message: Callable[[bytes | str], None],
    *,
    what: str,
    subscribed: asyncio.Event | None = None,
    retry: float = RETRY_SECONDS,
) -> None:
    """Until cancelled. `what` names the messages in the warning a failure logs;
    `subscribed` is set once the first subscription is made."""
    while True:
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel)
            if subscribed is not None:
                subscribed.set()
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None:
                    on_message(message["data"])
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("%s: Redis failed (%s); again in %s s", what, type(error).__name__, retry)
            await asyncio.sleep(retry)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
