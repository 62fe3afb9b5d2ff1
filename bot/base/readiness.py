"""Whether this instance can do its work now: what `/readyz` answers.

`/healthz` says the process serves (liveness); ready means every dependency answers: the
database, Redis when configured, and each configured workspace and customer channel (the
health registry). Each check is bounded, so a hung dependency makes `/readyz` say so instead
of hanging the probe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from bot.base.health import Health
from bot.base.i18n import Text, Translator, _
from bot.base.redact import Redactor
from storage import db

CHECK_SECONDS = 2.0
NO_ANSWER = _("No answer within {seconds} s.")


async def not_ready(
    health: Health, redis: Any, redactor: Redactor, translator: Translator, language: str = "en"
) -> dict[str, str]:
    """What is not ready, by name (`database`, `redis`, `telegram`, …), and why; empty
    when all of it is."""
    problems: dict[str, str] = {}
    checks = {"database": db.ping()}
    if redis is not None:
        checks["redis"] = redis.ping()
    for name, check in checks.items():
        failed = await _fails(check, redactor)
        if isinstance(failed, Text):
            problems[name] = translator.render(language, failed)
        elif failed is not None:
            problems[name] = failed
    problems.update(health.unready(language))
    return problems


async def _fails(check: Awaitable[Any], redactor: Redactor) -> str | Text | None:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await check
    except TimeoutError:
        return Text(NO_ANSWER, seconds=f"{CHECK_SECONDS:g}")
    except Exception as error:
        return redactor.describe(error)[:300]
    return None
