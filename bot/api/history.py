"""A conversation as the API shows it: what the customer and the operators said (not the
operators' notes nor the desk's system lines), oldest first, a page at a time."""

from __future__ import annotations

from typing import Any

from bot.api.files import FileLinks
from bot.api.shapes import contact_shape, conversation_shape, message_shape
from storage.models import Conversation, Direction, Message, Operator

PAGE = 100


async def conversation_view(conversation: Conversation) -> dict[str, Any]:
    assignee_id = conversation.assignee_id  # type: ignore[attr-defined]
    assignee = await Operator.get_or_none(id=assignee_id) if assignee_id else None
    return conversation_shape(conversation, assignee)


async def message_view(message_id: int, links: FileLinks) -> dict[str, Any]:
    message = await Message.get(id=message_id).select_related(
        "conversation__identity", "author_operator"
    )
    identity = message.conversation.identity
    files = await links.of_messages([message.id], identity.external_id)
    return message_shape(
        message, message.author_operator, identity.display_name, files.get(message.id)
    )


async def posted(
    message_id: int, conversation_id: int, new: bool, links: FileLinks
) -> dict[str, Any]:
    """The answer to a customer's message the API took in."""
    conversation = await Conversation.get(id=conversation_id).select_related("identity")
    return {
        "message": await message_view(message_id, links),
        "conversation": await conversation_view(conversation),
        "contact": contact_shape(conversation.identity),
        "new_conversation": new,
    }


async def messages_of(
    entry_point_id: int, conversation_id: int, after: int, links: FileLinks, limit: int = PAGE
) -> dict[str, Any] | None:
    """None when the conversation is not one of this entry point's."""
    conversation = (
        await Conversation.filter(id=conversation_id, entry_point_id=entry_point_id)
        .select_related("identity")
        .first()
    )
    if conversation is None:
        return None
    rows = (
        await Message.filter(
            conversation_id=conversation.id,
            direction__in=[Direction.IN, Direction.OUT],
            id__gt=after,
        )
        .select_related("author_operator")
        .order_by("id")
        .limit(limit + 1)
    )
    name = conversation.identity.display_name
    shown = rows[:limit]
    files = await links.of_messages([m.id for m in shown], conversation.identity.external_id)
    return {
        "conversation": await conversation_view(conversation),
        "contact": contact_shape(conversation.identity),
        "messages": [message_shape(m, m.author_operator, name, files.get(m.id)) for m in shown],
        "has_more": len(rows) > limit,
    }
