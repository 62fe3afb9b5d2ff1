"""Entry points: which line the customers of each bot, widget or number reach."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.directory import CLI, Change, now
from bot.directory.checks import check_entry_point_key
from bot.directory.lines import get_line
from storage.models import EntryPoint


async def set_entry_point(
    key: str, line_slug: str, *, actor_name: str = CLI
) -> tuple[EntryPoint, Change]:
    """Which line an entry point's customers reach. Set ahead of time, the entry point is
    waiting when its bridge starts; the bridge then only renames it."""
    check_entry_point_key(key)
    async with in_transaction():
        line = await get_line(line_slug)
        entry = await EntryPoint.get_or_none(key=key)
        if entry is not None and entry.line_id == line.id:
            return entry, "unchanged"
        change: Change = "created" if entry is None else "updated"
        if entry is None:
            channel = key.partition(":")[0]
            entry = await EntryPoint.create(key=key, channel=channel, name=key, line=line)
        else:
            entry.line = line
            await entry.save(update_fields=["line_id"])
        await audit.record(
            "entry_point.set", at=now(), actor_name=actor_name, new=line.slug, entry_point=key
        )
    return entry, change


async def list_entry_points() -> list[EntryPoint]:
    return await EntryPoint.all().prefetch_related("line").order_by("key")
