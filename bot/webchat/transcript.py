"""What a visitor's chat window shows, line by line (`WebchatItem`): written when the visitor
writes and when the desk answers, read at every connect, reload and long poll. The live
connections are told through `VisitorPush` (the bridge's); what is stored here is what
makes an answer delivered even when no window is open."""

from __future__ import annotations

from typing import Any, Protocol

from storage.models import WebchatItem

# A window's history: the latest lines, enough for any conversation a person scrolls.
HISTORY = 200


class VisitorPush(Protocol):
    def push(self, visitor: str, item: dict[str, Any]) -> None:
        """Show `item` in every open window of `visitor` (the identity's external id) now;
        a window opened later reads it from the transcript."""
        ...


def shape(item: WebchatItem) -> dict[str, Any]:
    """An item as the widget reads it. Texts are plain: the widget sets them as text."""
    shown: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "text": None if item.deleted else item.text,
        "author": item.author,
        "at": item.created_at.isoformat().replace("+00:00", "Z") if item.created_at else None,
    }
    if item.deleted:
        shown["deleted"] = True
    if item.buttons:
        shown["buttons"] = [button[0] for button in item.buttons]
        shown["answered"] = item.answered
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
) -> WebchatItem:
    return await WebchatItem.create(
        entry_point_id=entry_point_id,
        visitor=visitor,
        kind=kind,
        text=text,
        author=author,
        message_id=message_id,
        buttons=buttons,
    )


async def history(visitor: str, after: int = 0) -> list[dict[str, Any]]:
    """The visitor's lines after `after`, oldest first (the latest HISTORY of them)."""
    rows = await WebchatItem.filter(visitor=visitor, id__gt=after).order_by("-id").limit(HISTORY)
    return [shape(row) for row in reversed(rows)]


async def of_visitor(visitor: str, item_id: int) -> WebchatItem | None:
    return await WebchatItem.get_or_none(id=item_id, visitor=visitor)


async def change(item: WebchatItem, **values: Any) -> WebchatItem:
    for name, value in values.items():
        setattr(item, name, value)
    await item.save(update_fields=list(values))
    return item
