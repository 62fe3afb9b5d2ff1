"""What a visitor's chat window shows, line by line (`WebchatItem`): written when the visitor
writes and when the desk answers, read at every connect, reload and long poll. The live
connections are told through `VisitorPush` (the bridge's); what is stored here is what
makes an answer delivered even when no window is open."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.attachments.links import link_query
from bot.webchat import FILE_PATH
from storage.models import StoredFile, WebchatItem

# A window's history: the latest lines, enough for any conversation a person scrolls.
HISTORY = 200
LINK_HOURS = 24.0  # RELAYDESK_FILE_LINK_HOURS' default


class VisitorPush(Protocol):
    def push(self, visitor: str, item: dict[str, Any]) -> None:
        """Show `item` in every open window of `visitor` (the identity's external id) now;
        a window opened later reads it from the transcript."""
        ...


def window_file(file: StoredFile) -> dict[str, Any]:
    """A file as a line keeps it: with the key that signs its links (never shown)."""
    return {
        "id": file.id,
        "name": file.name,
        "type": file.mime,
        "size": file.size,
        "key": file.link_key,
    }


def _shown_file(file: dict[str, Any], visitor: str, hours: float) -> dict[str, Any]:
    """A file as the window shows it: a link only this visitor's window is given; the
    widget puts the desk's address before it."""
    query = link_query(file["key"], file["id"], visitor, hours)
    return {
        "name": file["name"],
        "type": file["type"],
        "size": file["size"],
        "url": f"{FILE_PATH}/{file['id']}?{query}",
    }


def shape(item: WebchatItem, hours: float = LINK_HOURS) -> dict[str, Any]:
    """An item as the widget reads it. Texts are plain: the widget sets them as text;
    file links last `hours`."""
    shown: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "text": None if item.deleted else item.text,
        "author": item.author,
        "at": item.created_at.isoformat().replace("+00:00", "Z") if item.created_at else None,
    }
    if item.deleted:
        shown["deleted"] = True
    if item.read_at is not None:
        shown["read"] = True
    if item.buttons:
        shown["buttons"] = [button[0] for button in item.buttons]
        shown["answered"] = item.answered
    if item.files and not item.deleted:
        shown["files"] = [_shown_file(f, item.visitor, hours) for f in item.files]
    return shown


async def add(
    entry_point_id: int,
    visitor: str,
    kind: str,
    text: str | None,
    *,
    author: str | None = None,
    message_id: int | None = None,
    buttons: list[list[Any]] | None = None,
    files: list[dict[str, Any]] | None = None,
) -> WebchatItem:
    return await WebchatItem.create(
        entry_point_id=entry_point_id,
        visitor=visitor,
        kind=kind,
        text=text,
        author=author,
        message_id=message_id,
        buttons=buttons,
        files=files,
    )


async def history(visitor: str, after: int = 0, hours: float = LINK_HOURS) -> list[dict[str, Any]]:
    """The visitor's lines after `after`, oldest first (the latest HISTORY of them)."""
    rows = await WebchatItem.filter(visitor=visitor, id__gt=after).order_by("-id").limit(HISTORY)
    return [shape(row, hours) for row in reversed(rows)]


async def of_visitor(visitor: str, item_id: int) -> WebchatItem | None:
    return await WebchatItem.get_or_none(id=item_id, visitor=visitor)


async def change(item: WebchatItem, **values: Any) -> WebchatItem:
    for name, value in values.items():
        setattr(item, name, value)
    await item.save(update_fields=list(values))
    return item


async def read_upto(visitor: str) -> int:
    """The visitor's last message an operator has acted on after (0: none): the window marks
    it and the visitor's earlier messages "read"."""
    last = (
        await WebchatItem.filter(visitor=visitor, kind="in", read_at__not_isnull=True)
        .order_by("-id")
        .first()
        .values_list("id", flat=True)
    )
    return int(last or 0)


async def mark_read(visitor: str, at: datetime) -> WebchatItem | None:
    """The visitor's messages not read yet are read now; the last of them, to show, or None
    when there were none."""
    unread = WebchatItem.filter(visitor=visitor, kind="in", read_at__isnull=True, deleted=False)
    last = await unread.order_by("-id").first()
    if last is None:
        return None
    await unread.filter(id__lte=last.id).update(read_at=at)
    last.read_at = at
    return last
