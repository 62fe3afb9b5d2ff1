"""Messages, conversations and contacts as the API shows them: in answers and in events.

An API contact's identity is "<entry point id>:<their id>" (two systems may both have a
customer 42); the API shows only their own id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.models import Conversation, Direction, Identity, Message, Operator

# What an API contact's external id may be: it travels in chat keys of 64 characters.
MAX_CONTACT_ID = 36


def identity_id(entry_point_id: int, external_id: str) -> str:
    return f"{entry_point_id}:{external_id}"


def contact_id(identity: Identity) -> str:
    return identity.external_id.partition(":")[2] or identity.external_id


def when(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def contact_shape(identity: Identity) -> dict[str, Any]:
    return {"external_id": contact_id(identity), "name": identity.display_name}


def conversation_shape(
    conversation: Conversation, assignee: Operator | None = None
) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "status": str(conversation.status),
        "assignee": {"name": assignee.name} if assignee else None,
        "topic": conversation.topic,
        "created_at": when(conversation.created_at),
        "closed_at": when(conversation.closed_at),
    }


def message_shape(
    message: Message,
    author: Operator | None,
    contact_name: str,
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    by_contact = message.direction == Direction.IN
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,  # type: ignore[attr-defined]
        "direction": str(message.direction),
        "kind": message.kind,
        "text": message.text,
        "author": {
            "type": "contact" if by_contact else "operator",
            "name": contact_name if by_contact else (author.name if author else None),
        },
        "created_at": when(message.created_at),
        "attachments": attachments or [],
    }
