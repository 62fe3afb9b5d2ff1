"""Whether a download link may have a file: signed for this contact, not expired, and the
file is one of that contact's conversations'. Refusals are told apart only as "no such
file" and "not for you", so a link gives nothing away about other contacts' files."""

from __future__ import annotations

from enum import Enum

from bot.attachments.links import valid
from storage.models import Conversation, Identity, StoredFile


class Refusal(Enum):
    NOT_FOUND = 404
    FORBIDDEN = 403


async def downloadable(
    file_id: str, channel: str, audience: str, expires: str, signature: str
) -> StoredFile | Refusal:
    """The file a link names, for the contact `audience` (an identity's external id in
    `channel`), or why not."""
    if not file_id.isascii() or not file_id.isdigit() or not 0 < int(file_id) < 2**31:
        return Refusal.NOT_FOUND
    file = await StoredFile.get_or_none(id=int(file_id))
    if file is None:
        return Refusal.NOT_FOUND
    if not valid(file.link_key, file.id, audience, expires, signature):
        return Refusal.FORBIDDEN
    identity = await Identity.get_or_none(channel=channel, external_id=audience)
    conversation_id = file.conversation_id  # type: ignore[attr-defined]
    if identity is None or conversation_id is None:
        return Refusal.FORBIDDEN
    if not await Conversation.exists(id=conversation_id, identity_id=identity.id):
        return Refusal.FORBIDDEN
    return file
