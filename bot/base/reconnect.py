"""Connecting to a workspace or channel until it answers, with a capped back-off.

A bridge gives the attempt and a classifier of its SDK's errors; this loop reports each
outcome to `Health` and says in the log what failed and what to check, once per change of
reason rather than on every try.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.base.health import Health, Outage
from bot.base.i18n import Translator
from bot.base.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """1 s doubling to 60 s by default; tests shorten it through the settings."""

    first: float = 1.0
    cap: float = 60.0

    def delays(self) -> Callable[[Outage], float]:
        current = self.first

        def next_delay(outage: Outage) -> float:
            nonlocal current
            if outage.retry_slowly:
                return self.cap
            delay, current = current, min(self.cap, current * 2)
            return delay

        return next_delay


def backoff_of(settings: Settings) -> Backoff:
    return Backoff(settings.reconnect_first_seconds, settings.reconnect_max_seconds)


async def connect_with_backoff(
    name: str,
    attempt: Callable[[], Awaitable[None]],
    classify: Callable[[Exception], Outage | None],
    *,
    health: Health,
    backoff: Backoff,
    translator: Translator,
) -> None:
    """Run `attempt` until it returns; then the component is up. An error `classify` does
    not know (None) is logged with its traceback and still retried: the desk keeps serving."""
    next_delay = backoff.delays()
    said: str | None = None
    while True:
        try:
            await attempt()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            outage = classify(error)
            if outage is None:
                log.exception("%s: starting failed unexpectedly", name.title())
                outage = Outage.unexpected(error)
            health.down(name, outage)
            words = translator.render("en", outage.text)
            delay = next_delay(outage)
            if words != said:
                log.error(
                    "%s is down: %s Trying again in %g s, then with growing pauses.",
                    name.title(),
                    words,
                    delay,
                )
                log.debug("%s: the error behind it", name, exc_info=error)
                said = words
            else:
                log.info("%s is still down; next try in %g s", name.title(), delay)
            await asyncio.sleep(delay)
            continue
        health.up(name)
        if said is not None:
            log.info("%s is back up", name.title())
        return
