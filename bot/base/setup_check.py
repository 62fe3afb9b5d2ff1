"""What is connected and what is missing, found by each bridge's `check`: one source for
`relaydesk check` and the admin panel's empty dashboard, so both say the same things."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from bot.base.i18n import Text, _
from bot.base.settings import Settings

NO_ANSWER = _("The check of {what} got no answer within {seconds} s.")

Finding = tuple[bool, Text]
# A workspace's check, given by the composition root: the core imports no messenger SDK.
SetupCheck = Callable[[Settings], Awaitable[list[Finding]]]


async def setup_findings(
    settings: Settings,
    checks: Mapping[str, SetupCheck],
    timeout: float | None = None,  # noqa: ASYNC109
) -> list[Finding]:
    """Every check's findings in order (`checks` maps the name a person knows, "Telegram",
    to its check); with `timeout`, a check that takes longer is told as such instead of
    holding the caller (a page) up."""
    found: list[Finding] = []
    for what, check in checks.items():
        try:
            found.extend(await asyncio.wait_for(check(settings), timeout))
        except TimeoutError:
            found.append((False, Text(NO_ANSWER, what=what, seconds=timeout)))
    return found
