"""Lines and entry points that the settings describe, made real in the database."""

from __future__ import annotations

from storage.models import EntryPoint, Line

DEFAULT_LINE = "default"


async def ensure_default_line(workspace_kind: str, chat: str) -> Line:
    """The default line follows the settings: moving the operator chat moves the line."""
    line, created = await Line.get_or_create(
        slug=DEFAULT_LINE,
        defaults={"name": "Default line", "workspace_kind": workspace_kind, "workspace_chat": chat},
    )
    if not created and (line.workspace_kind, line.workspace_chat) != (workspace_kind, chat):
        line.workspace_kind, line.workspace_chat = workspace_kind, chat
        await line.save(update_fields=["workspace_kind", "workspace_chat"])
    return line


async def ensure_entry_point(channel: str, key: str, name: str, line: Line) -> EntryPoint:
    entry_point, created = await EntryPoint.get_or_create(
        key=key, defaults={"channel": channel, "name": name, "line": line}
    )
    if not created and entry_point.name != name:
        entry_point.name = name
        await entry_point.save(update_fields=["name"])
    return entry_point
