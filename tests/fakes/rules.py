"""Rules as an admin would save them, applied at once to the running desk."""

from __future__ import annotations

from typing import Any

from bot.rules.store import save_rule
from storage.models import Line, Rule
from tests.fakes.desk import Desk


async def add_rule(desk: Desk, *, allow_private: bool = False, **values: Any) -> Rule:
    rule, _change = await save_rule(values, allow_private=allow_private)
    await desk.core.rules.book.announce()
    return rule


async def calls_line() -> Line:
    """A second line, of operators who work on calls and seldom in chats."""
    return await Line.create(
        slug="calls", name="Calls", workspace_kind="telegram", workspace_chat="-1009999"
    )
