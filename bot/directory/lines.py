"""Lines: create, change, remove and list them, each change audited in its transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.bounds import fits
from bot.base.i18n import Text, _
from bot.directory import CLI, Change, DirectoryError, changed_columns, now
from bot.directory.checks import check_line, check_slug
from storage.models import Conversation, EntryPoint, Line, LineMember, QuickReply


@dataclass(frozen=True)
class LineSummary:
    line: Line
    members: int


async def get_line(slug: str) -> Line:
    """A slug no column could hold (`relaydesk lines set <70 letters>`) names no line."""
    line = await Line.get_or_none(slug=slug) if fits(Line, "slug", str(slug)) else None
    if line is None:
        raise DirectoryError(Text(_("there is no line {slug!r}"), slug=slug))
    return line


async def _check_workspace_free(columns: Mapping[str, Any], line_id: int | None) -> None:
    if "workspace_kind" not in columns:
        return
    kind, chat = columns["workspace_kind"], columns["workspace_chat"]
    query = Line.filter(workspace_kind=kind, workspace_chat=chat)
    other = await (query.exclude(id=line_id) if line_id else query).first()
    if other:
        taken = _("{kind}:{chat} is already line {slug!r}")
        raise DirectoryError(Text(taken, kind=kind, chat=chat, slug=other.slug), "workspace")


async def create_line(slug: str, values: Mapping[str, Any], *, actor_name: str = CLI) -> Line:
    check_slug(slug)
    columns = check_line(values, new=True)
    async with in_transaction():
        if await Line.exists(slug=slug):
            raise DirectoryError(Text(_("line {slug!r} already exists"), slug=slug))
        await _check_workspace_free(columns, None)
        line = await Line.create(slug=slug, **columns)
        await audit.record("line.created", at=now(), actor_name=actor_name, new=slug, line=slug)
    return line


async def update_line(
    slug: str, values: Mapping[str, Any], *, actor_name: str = CLI
) -> tuple[Line, Change]:
    columns = check_line(values, new=False)
    async with in_transaction():
        line = await get_line(slug)
        changes = changed_columns(line, columns)
        if not changes:
            return line, "unchanged"
        await _check_workspace_free(columns, line.id)
        for name, (_, new) in changes.items():
            setattr(line, name, new)
        await line.save(update_fields=list(changes))
        await audit.record(
            "line.updated",
            at=now(),
            actor_name=actor_name,
            new=", ".join(changes),
            line=slug,
            changes=changes,
        )
    return line, "updated"


async def save_line(
    slug: str, values: Mapping[str, Any], *, actor_name: str = CLI
) -> tuple[Line, Change]:
    """Create or update: what a file describes is made true, whatever was there before."""
    check_slug(slug)
    check_line(values, new=True)
    if await Line.exists(slug=slug):
        return await update_line(slug, values, actor_name=actor_name)
    return await create_line(slug, values, actor_name=actor_name), "created"


async def remove_line(slug: str, *, actor_name: str = CLI) -> None:
    """Refused while the line has history or entry points: deleting would take the
    conversations with it, and customers of its entry points would have nowhere to go."""
    async with in_transaction():
        line = await get_line(slug)
        conversations = await Conversation.filter(line_id=line.id).count()
        if conversations:
            busy = _(
                "line {slug!r} has {count} conversation(s) and cannot be removed; "
                "point its entry points to another line instead"
            )
            raise DirectoryError(Text(busy, slug=slug, count=conversations))
        keys = await EntryPoint.filter(line_id=line.id).values_list("key", flat=True)
        if keys:
            fed = _(
                "entry point(s) {keys} feed line {slug!r}; point them to "
                "another line first (relaydesk entry-points set KEY LINE)"
            )
            raise DirectoryError(Text(fed, keys=", ".join(map(str, keys)), slug=slug))
        await LineMember.filter(line_id=line.id).delete()
        await QuickReply.filter(line_id=line.id).delete()
        await line.delete()
        await audit.record("line.removed", at=now(), actor_name=actor_name, old=slug, line=slug)


async def list_lines() -> list[LineSummary]:
    counts = Counter(await LineMember.all().values_list("line_id", flat=True))
    return [LineSummary(line, counts[line.id]) for line in await Line.all().order_by("slug")]
