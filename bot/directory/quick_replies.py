"""Quick replies as the directory keeps them: created or updated by name, scope and owner.
Sending them is `bot.quick_replies`' job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from bot.directory import CLI, Change
from bot.directory.checks import check_quick_reply
from bot.directory.lines import get_line
from bot.directory.operators import find_operator
from storage.models import QuickReply


async def save_quick_reply(
    values: Mapping[str, Any], *, actor_name: str = CLI
) -> tuple[QuickReply, Change]:
    """Upsert by (name, scope, line, operator): the same name may differ per line or person,
    the nearest scope winning when an operator types it."""
    cleaned = check_quick_reply(values)
    async with in_transaction():
        line = await get_line(cleaned["line"]) if cleaned["line"] else None
        operator = await find_operator(cleaned["operator"]) if cleaned["operator"] else None
        reply = await QuickReply.get_or_none(
            name__iexact=cleaned["name"],  # `/q name` ignores case, so must the upsert
            scope=cleaned["scope"],
            line_id=line.id if line else None,
            operator_id=operator.id if operator else None,
        )
        if reply is None:
            reply = await QuickReply.create(
                name=cleaned["name"],
                scope=cleaned["scope"],
                line=line,
                operator=operator,
                texts=cleaned["texts"],
            )
            return reply, "created"
        if (reply.name, reply.texts) == (cleaned["name"], cleaned["texts"]):
            return reply, "unchanged"
        reply.name, reply.texts = cleaned["name"], cleaned["texts"]
        await reply.save(update_fields=["name", "texts", "updated_at"])
    return reply, "updated"
