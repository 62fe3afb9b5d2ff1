"""Message content: the file store, media objects and plausible generated payloads."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .errors import bad_request
from .images import photo_problem, png
from .params import UploadedFile

# Order matters: an animation message also carries a `document` (as in Telegram).
MEDIA_KINDS = (
    "photo",
    "video",
    "animation",
    "document",
    "audio",
    "voice",
    "video_note",
    "sticker",
)
CAPTIONED_KINDS = frozenset({"photo", "video", "animation", "document", "audio", "voice"})
USER_KINDS = ("text", *MEDIA_KINDS, "location", "venue", "contact", "poll", "dice")
CONTENT_KEYS = (
    "text",
    "entities",
    "link_preview_options",
    *MEDIA_KINDS,
    "caption",
    "caption_entities",
    "has_media_spoiler",
    "show_caption_above_media",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)
SERVICE_KEYS = (
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "general_forum_topic_hidden",
    "general_forum_topic_unhidden",
    "pinned_message",
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "group_chat_created",
)

TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
DICE_MAX = {"🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}
# The emoji Telegram accepts as reactions (note: plain "❤", no variation selector).
_REACTIONS = (
    "❤ 👍 👎 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 "
    "💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 "
    "🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡"
)
REACTION_EMOJI = frozenset(_REACTIONS.split(" "))


@dataclass(frozen=True)
class KindSpec:
    prefix: str  # real file ids start with a type-specific prefix
    folder: str
    extension: str
    mime_type: str | None
    defaults: dict[str, Any]


KIND_SPECS = {
    "photo": KindSpec("AgAC", "photos", "jpg", None, {}),
    "video": KindSpec(
        "BAAC", "videos", "mp4", "video/mp4", {"width": 1280, "height": 720, "duration": 5}
    ),
    "animation": KindSpec(
        "CgAC", "animations", "mp4", "video/mp4", {"width": 480, "height": 270, "duration": 3}
    ),
    "document": KindSpec("BQAC", "documents", "pdf", "application/pdf", {}),
    "audio": KindSpec(
        "CQAC",
        "music",
        "mp3",
        "audio/mpeg",
        {"duration": 180, "performer": "Artist", "title": "Song"},
    ),
    "voice": KindSpec("AwAC", "voice", "oga", "audio/ogg", {"duration": 4}),
    "video_note": KindSpec("DQAC", "video_notes", "mp4", None, {"length": 240, "duration": 6}),
    "sticker": KindSpec(
        "CAAC",
        "stickers",
        "webp",
        None,
        {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🙂",
        },
    ),
}
PHOTO_SIZES = ((90, 68), (1280, 960))


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    """file_id → bytes, plus the API object (PhotoSize list, Video...) each id stands for."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._objects: dict[str, Any] = {}
        self._seq = 0

    def get(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self._files.values() if f.file_path == file_path), None)

    def _new_file(self, kind: str, data: bytes, extension: str) -> StoredFile:
        self._seq += 1
        spec = KIND_SPECS[kind]
        stored = StoredFile(
            file_id=f"{spec.prefix}AgADFAKE{self._seq:08d}",
            file_unique_id=f"AQADFAKE{self._seq:08d}",
            kind=kind,
            data=data,
            file_path=f"{spec.folder}/file_{self._seq}.{extension}",
        )
        self._files[stored.file_id] = stored
        return stored

    def upload(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> Any:
        """Store new bytes; return the API object (a PhotoSize list for photos)."""
        spec = KIND_SPECS[kind]
        extension = spec.extension
        if file_name and "." in file_name:
            extension = file_name.rsplit(".", 1)[-1]
        if kind == "photo":
            sizes = []
            for width, height in PHOTO_SIZES:
                stored = self._new_file(kind, data, "jpg")
                sizes.append(
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.file_unique_id,
                        "file_size": len(data),
                        "width": width,
                        "height": height,
                    }
                )
            for size in sizes:
                self._objects[size["file_id"]] = sizes
            return copy.deepcopy(sizes)
        stored = self._new_file(kind, data, extension)
        obj: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            **spec.defaults,
            **(fields or {}),
            "file_size": len(data),
        }
        if kind in {"video", "animation", "document", "audio"}:
            obj["file_name"] = file_name or f"file_{self._seq}.{extension}"
        if mime_type or spec.mime_type:
            obj.setdefault("mime_type", mime_type or spec.mime_type)
        self._objects[stored.file_id] = obj
        return copy.deepcopy(obj)

    def reuse(self, kind: str, file_id: str) -> Any:
        """The API object for an already known file id sent again."""
        obj = self._objects.get(file_id)
        stored = self._files.get(file_id)
        if obj is None or stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if (stored.kind == "photo") != (kind == "photo"):
            raise bad_request("type of file mismatch")
        return copy.deepcopy(obj)

    def resolve(
        self,
        kind: str,
        value: Any,
        uploads: dict[str, UploadedFile],
        fields: dict[str, Any] | None = None,
    ) -> Any:
        """An InputFile parameter: upload, ``attach://key``, file_id or URL."""
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
            value = upload
        if isinstance(value, UploadedFile):
            problem = photo_problem(value.data) if kind == "photo" else None
            if problem:
                raise bad_request(problem)
            return self.upload(
                kind,
                value.data,
                file_name=value.filename,
                mime_type=value.content_type,
                fields=fields,
            )
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            name = urlparse(value).path.rsplit("/", 1)[-1] or None
            return self.upload(kind, b"", file_name=name, fields=fields)
        return self.reuse(kind, value)


def media_kind(message: dict[str, Any]) -> str | None:
    return next((kind for kind in MEDIA_KINDS if kind in message), None)


def is_service(message: dict[str, Any]) -> bool:
    return any(key in message for key in SERVICE_KEYS)


def media_content(kind: str, obj: Any) -> dict[str, Any]:
    """Message fields for one media object (animations also set `document`)."""
    content = {kind: obj}
    if kind == "animation":
        content["document"] = {
            key: value for key, value in obj.items() if key not in {"width", "height", "duration"}
        }
    return content


def make_poll(
    poll_id: str,
    question: str,
    options: list[Any],
    *,
    is_anonymous: bool = True,
    poll_type: str = "regular",
    allows_multiple_answers: bool = False,
    correct_option_id: int | None = None,
) -> dict[str, Any]:
    texts = [option["text"] if isinstance(option, dict) else str(option) for option in options]
    if not 2 <= len(texts) <= 12:
        raise bad_request("poll must have 2-12 options")
    poll: dict[str, Any] = {
        "id": poll_id,
        "question": question,
        "options": [
            {"persistent_id": str(index), "text": text, "voter_count": 0}
            for index, text in enumerate(texts)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": is_anonymous,
        "type": poll_type,
        "allows_multiple_answers": allows_multiple_answers,
        "allows_revoting": False,
        "members_only": False,
    }
    if correct_option_id is not None:
        poll["correct_option_id"] = correct_option_id
    return poll


def roll_dice(emoji: str, rng: random.Random) -> dict[str, Any]:
    if emoji not in DICE_MAX:
        raise bad_request("invalid dice emoji")
    return {"emoji": emoji, "value": rng.randint(1, DICE_MAX[emoji])}


def copied_content(message: dict[str, Any], rng: random.Random, new_poll_id: str) -> dict[str, Any]:
    """What copyMessage carries over: the content, with a fresh poll or dice."""
    content = {key: copy.deepcopy(message[key]) for key in CONTENT_KEYS if key in message}
    if "poll" in content:
        old = content["poll"]
        content["poll"] = make_poll(
            new_poll_id,
            old["question"],
            [option["text"] for option in old["options"]],
            is_anonymous=old["is_anonymous"],
            poll_type=old["type"],
            allows_multiple_answers=old["allows_multiple_answers"],
            correct_option_id=old.get("correct_option_id"),
        )
    if "dice" in content:
        content["dice"] = roll_dice(content["dice"]["emoji"], rng)
    return content


def generate_content(
    kind: str,
    files: FileStore,
    rng: random.Random,
    *,
    text: str | None,
    entities: list[dict[str, Any]] | None,
    caption: str | None,
    poll_id: str,
) -> dict[str, Any]:
    """A plausible payload of `kind`, as a person would send it."""
    if kind == "text":
        content: dict[str, Any] = {"text": text if text is not None else "Hello"}
        if entities:
            content["entities"] = entities
        return content
    if kind in MEDIA_KINDS:
        number = rng.randrange(10**9)
        # A photo is a real image: a bot may upload it again, and Telegram reads photos.
        data = png(2, 2, number) if kind == "photo" else f"fake {kind} bytes #{number}".encode()
        content = media_content(kind, files.upload(kind, data))
        caption = caption if caption is not None else text
        if caption and kind in CAPTIONED_KINDS:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content
    location = {"latitude": 51.500729, "longitude": -0.124625}
    if kind == "location":
        return {"location": location}
    if kind == "venue":
        venue = {"location": location, "title": "Big Ben", "address": "London SW1A 0AA"}
        return {"venue": venue, "location": location}
    if kind == "contact":
        contact = {"phone_number": "+15555550100", "first_name": "Jane", "last_name": "Doe"}
        return {"contact": contact}
    if kind == "poll":
        return {"poll": make_poll(poll_id, text or "Which one?", ["Yes", "No"])}
    if kind == "dice":
        return {"dice": roll_dice(text if text in DICE_MAX else "🎲", rng)}
    raise ValueError(f"unknown message kind {kind!r}; expected one of {USER_KINDS}")


def forum_icon_stickers() -> list[dict[str, Any]]:
    return [
        {
            "file_id": f"CAACAgIAAxUAAWFAKEICON{index}",
            "file_unique_id": f"AgADFAKEICON{index}",
            "type": "custom_emoji",
            "width": 100,
            "height": 100,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "custom_emoji_id": f"5312536423851630{index:03d}",
        }
        for index, emoji in enumerate(("📰", "💡", "⚡️", "🎙", "🔥"))
    ]
