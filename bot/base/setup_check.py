"""What is connected and what is missing, found by each bridge's `check`: one source for
`relaydesk check` and the admin panel's empty dashboard, so both say the same things."""

from __future__ import annotations

import asyncio
import importlib

from bot.base.i18n import Text, _
from bot.base.settings import Settings

# Found by name, like the bridges themselves: the core imports no messenger SDK.
CHECKS = ("bridges.telegram.check:findings", "bridges.slack.check:findings")
NO_ANSWER = _("The check of {what} got no answer within {seconds} s.")

Finding = tuple[bool, Text]


async def setup_findings(settings: Settings, timeout: float | None = None) -> list[Finding]:  # noqa: ASYNC109
    """Every check's findings in order; with `timeout`, a check that takes longer is told
    as such instead of holding the caller (a page) up."""
    found: list[Finding] = []
    for path in CHECKS:
        module_name, _sep, name = path.partition(":")
        check = getattr(importlib.import_module(module_name), name)
        try:
            found.extend(await asyncio.wait_for(check(settings), timeout))
        except TimeoutError:
            what = module_name.split(".")[1].title()
            found.append((False, Text(NO_ANSWER, what=what, seconds=timeout)))
    return found
