"""Lines and entry points that the settings describe, made real in the database."""

from __future__ import annotations

import logging

from bot.base.settings import Settings
from storage.models import EntryPoint, Line

log = logging.getLogger(__name__)

DEFAULT_LINE = "default"
WORKSPACE_SETTINGS = {
    "telegram": "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID",
    "slack": "RELAYDESK_SLACK_CHANNEL_ID",
}


def configured_workspaces(settings: Settings) -> list[tuple[str, str, str]]:
    """The workspaces the settings name, the default line's first: Telegram's forum when it
    is set, else the Slack channel."""
    found = []
    if settings.telegram_operator_chat_id is not None:
        found.append(("telegram", str(settings.telegram_operator_chat_id), "all"))
    if settings.slack_channel_id:
        found.append(("slack", settings.slack_channel_id, settings.slack_reply_mode))
    return found


async def configure_lines(settings: Settings) -> Line | None:
    """The default line, and a line for the other workspace when both are configured.

    A workspace the settings name that already has a line (made with `relaydesk import`,
    `lines add` or the panel) keeps it, whatever its slug: that line is the default one.
    Only a workspace without a line gets the `default` (or `slack`) line, moved there."""
    default = None
    for index, (kind, chat, reply_mode) in enumerate(configured_workspaces(settings)):
        line = await Line.get_or_none(workspace_kind=kind, workspace_chat=chat)
        if line is None or line.slug == (DEFAULT_LINE if index == 0 else kind):
            slug, name = (DEFAULT_LINE, "Default line") if index == 0 else (kind, kind.title())
            line = await ensure_line(slug, name, kind, chat, reply_mode)
        default = default or line
    return default


async def ensure_line(
    slug: str, name: str, workspace_kind: str, chat: str, reply_mode: str = "all"
) -> Line:
    """A configured line follows the settings: moving the operator chat moves the line."""
    wanted = {"workspace_kind": workspace_kind, "workspace_chat": chat, "reply_mode": reply_mode}
    line, created = await Line.get_or_create(slug=slug, defaults={"name": name, **wanted})
    if not created and any(getattr(line, k) != v for k, v in wanted.items()):
        if (line.workspace_kind, line.workspace_chat) != (workspace_kind, chat):
            log.warning(
                "Line %r moves from %s:%s to %s:%s, where %s points",
                slug,
                line.workspace_kind,
                line.workspace_chat,
                workspace_kind,
                chat,
                WORKSPACE_SETTINGS[workspace_kind],
            )
        await Line.filter(id=line.id).update(**wanted)
        await line.refresh_from_db()
    return line


async def ensure_entry_point(channel: str, key: str, name: str, line: Line) -> EntryPoint:
    entry_point, created = await EntryPoint.get_or_create(
        key=key, defaults={"channel": channel, "name": name, "line": line}
    )
    if not created and entry_point.name != name:
        entry_point.name = name
        await entry_point.save(update_fields=["name"])
    return entry_point


async def workspace_chats(kind: str) -> list[str]:
    """The chats of every line that lives in a `kind` workspace (its bot sets them up)."""
    return list(
        await Line.filter(workspace_kind=kind)
        .order_by("id")
        .values_list("workspace_chat", flat=True)
    )


async def first_line() -> Line | None:
    """Without a workspace in the settings, customers go to the oldest line of the database."""
    return await Line.all().order_by("id").first()
