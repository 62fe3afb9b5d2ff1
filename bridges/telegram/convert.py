"""aiogram messages -> the core's neutral message bodies."""

from __future__ import annotations

from typing import Any

from aiogram.types import Message

_MEDIA_FIELDS = (
    "photo",
    "video",
    "animation",
    "document",
    "audio",
    "voice",
    "video_note",
    "sticker",
)
# Content types a person can send and we relay; everything else is a service message.
RELAYABLE = ("text", *_MEDIA_FIELDS, "location", "venue", "contact", "poll", "dice")
# What of a message is stored to show or edit it again (in this order).
_KEPT_FIELDS = (
    "entities",
    "caption_entities",
    "media_group_id",
    "has_media_spoiler",
    *_MEDIA_FIELDS,
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)
_KEPT_SET = set(_KEPT_FIELDS)


def kind_of(message: Message) -> str | None:
    content_type = message.content_type
    kind = getattr(content_type, "value", content_type)
    return kind if kind in RELAYABLE else None


def body_content(message: Message) -> dict[str, Any]:
    """What is needed to show or edit the message again without the original."""
    raw = message.model_dump(
        mode="json", include=_KEPT_SET, exclude_none=True, exclude_defaults=True
    )
    return {key: raw[key] for key in _KEPT_FIELDS if key in raw}


def text_of(message: Message) -> str | None:
    if message.text is not None:
        return message.text
    if message.caption is not None:
        return message.caption
    if message.poll is not None:
        return message.poll.question
    if message.contact is not None:
        return " ".join(
            filter(
                None,
                [
                    message.contact.first_name,
                    message.contact.last_name,
                    message.contact.phone_number,
                ],
            )
        )
    if message.venue is not None:
        return f"📍 {message.venue.title}, {message.venue.address}"
    if message.location is not None:
        return f"📍 {message.location.latitude:.5f}, {message.location.longitude:.5f}"
    if message.dice is not None:
        return f"{message.dice.emoji} {message.dice.value}"
    if message.sticker is not None:
        return message.sticker.emoji
    return None


MEDIA_NAMES = {
    "photo": "photo.jpg",
    "voice": "voice.ogg",
    "video_note": "video.mp4",
    "video": "video.mp4",
    "animation": "animation.mp4",
    "sticker": "sticker.webp",
    "audio": "audio.mp3",
    "document": "file",
}


def file_of(kind: str, content: dict[str, Any]) -> tuple[str, str, str] | None:
    """(file_id, file name, mime type) of a stored Telegram message's media, if any."""
    media = content.get(kind)
    if kind not in MEDIA_NAMES or not media:
        return None
    item = media[-1] if isinstance(media, list) else media  # photos: the largest size
    name = item.get("file_name") or MEDIA_NAMES[kind]
    mime = item.get("mime_type") or (
        "image/jpeg" if kind == "photo" else "application/octet-stream"
    )
    return item["file_id"], name, mime


def display_name(user: Any) -> str:
    name = " ".join(filter(None, [user.first_name, user.last_name])).strip()
    return name or (f"@{user.username}" if user.username else str(user.id))
