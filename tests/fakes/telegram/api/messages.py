"""Sending, copying, forwarding, editing and deleting messages."""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..content import (
    CAPTIONED_KINDS,
    CONTENT_KEYS,
    MEDIA_KINDS,
    copied_content,
    is_service,
    make_poll,
    media_content,
    media_kind,
    roll_dice,
)
from ..errors import ApiError, bad_request
from ..markup import formatted, is_blank, utf16_length
from ..params import Params
from ..world import Chat, Json, World
from .table import MethodTable

methods = MethodTable()

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
# InputFile parameters each send method accepts, with how to read them.
MEDIA_FIELDS: dict[str, dict[str, Callable[[Params, str], Any]]] = {
    "photo": {},
    "video": {"duration": Params.opt_int, "width": Params.opt_int, "height": Params.opt_int},
    "animation": {"duration": Params.opt_int, "width": Params.opt_int, "height": Params.opt_int},
    "document": {},
    "audio": {"duration": Params.opt_int, "performer": Params.opt_str, "title": Params.opt_str},
    "voice": {"duration": Params.opt_int},
    "video_note": {"duration": Params.opt_int, "length": Params.opt_int},
    "sticker": {"emoji": Params.opt_str},
}
ALBUM_KINDS = frozenset({"photo", "video", "document", "audio"})


@dataclass
class Target:
    """Where a new bot message goes."""

    chat: Chat
    thread_id: int | None
    reply_to: Json | None

    def post(self, world: World, p: Params, contents: list[Json]) -> list[Json]:
        messages = world.bot_posts(
            self.chat,
            contents,
            thread_id=self.thread_id,
            reply_to=self.reply_to,
            reply_markup=p.json("reply_markup"),
        )
        return [copy.deepcopy(message) for message in messages]


def target(world: World, p: Params) -> Target:
    chat = world.chat(p.chat_id())
    world.check_bot_can_write(chat)
    thread_id = world.send_thread(chat, p.opt_int("message_thread_id"))
    reply_to = world.reply_target(chat, p)
    if reply_to is not None and thread_id is None and chat.is_forum:
        thread_id = reply_to.get("message_thread_id")  # a reply lands in its topic
    return Target(chat, thread_id, reply_to)


def caption_fields(
    world: World,
    caption: str | None,
    parse_mode: str | None,
    entities: Any,
    above: bool = False,
) -> Json:
    """Message fields for a caption parameter, parsed per `parse_mode` (which, when set,
    wins over explicit caption_entities, as in the Bot API). A blank caption is none."""
    if not caption:
        return {}
    caption, entities = formatted(caption, parse_mode, entities, world.users)
    if utf16_length(caption) > 1024:
        raise bad_request("message caption is too long")
    if is_blank(caption):
        return {}
    fields: Json = {"caption": caption}
    if entities:
        fields["caption_entities"] = entities
    if above:
        fields["show_caption_above_media"] = True
    return fields


def text_fields(world: World, p: Params) -> Json:
    """Message fields for the `text` parameter, parsed per `parse_mode` (which, when set,
    wins over explicit entities, as in the Bot API). Limits count UTF-16 code units."""
    text = p.opt_str("text") or ""
    if not text:
        raise bad_request("message text is empty")
    text, entities = formatted(text, p.opt_str("parse_mode"), p.json("entities"), world.users)
    if is_blank(text):
        raise bad_request("message must be non-empty")
    if utf16_length(text) > 4096:
        raise bad_request("message is too long")
    fields: Json = {"text": text}
    if entities:
        fields["entities"] = entities
    return fields


@methods("sendMessage")
def send_message(world: World, p: Params) -> Json:
    fields = text_fields(world, p)  # the Bot API parses the text before anything else
    where = target(world, p)
    return where.post(world, p, [fields])[0]


def media_sender(kind: str) -> Callable[[World, Params], Json]:
    def send_media(world: World, p: Params) -> Json:
        captions: Json = {}
        if kind in CAPTIONED_KINDS:
            captions = caption_fields(
                world,
                p.opt_str("caption"),
                p.opt_str("parse_mode"),
                p.json("caption_entities"),
                p.flag("show_caption_above_media"),
            )
        where = target(world, p)
        fields = {name: read(p, name) for name, read in MEDIA_FIELDS[kind].items()}
        fields = {name: value for name, value in fields.items() if value is not None}
        obj = world.files.resolve(kind, p.required(kind), p.files, fields)
        content = media_content(kind, obj) | captions
        if p.flag("has_spoiler"):
            content["has_media_spoiler"] = True
        return where.post(world, p, [content])[0]

    return send_media


for _kind in MEDIA_KINDS:
    methods("send" + _kind.title().replace("_", ""))(media_sender(_kind))


@methods("sendMediaGroup")
def send_media_group(world: World, p: Params) -> list[Json]:
    items = p.json("media")
    if not isinstance(items, list) or len(items) < 2:
        raise bad_request("wrong number of media in the album")
    if len(items) > 10:
        raise bad_request("too much messages to send as an album")
    where = target(world, p)
    kinds = {item.get("type") for item in items}
    if not kinds <= ALBUM_KINDS:
        raise bad_request("invalid media type in the album")
    for loner in ("document", "audio"):
        if loner in kinds and len(kinds) > 1:
            raise bad_request(f"{loner} can't be mixed with other media types")
    captions = [
        caption_fields(
            world,
            item.get("caption"),
            item.get("parse_mode"),
            item.get("caption_entities"),
            bool(item.get("show_caption_above_media")),
        )
        for item in items
    ]
    group_id = world.new_media_group_id()
    contents = []
    for item, caption in zip(items, captions, strict=True):
        kind = item["type"]
        fields = {name: item[name] for name in MEDIA_FIELDS[kind] if name in item}
        content = media_content(kind, world.files.resolve(kind, item.get("media"), p.files, fields))
        content |= caption
        if item.get("has_spoiler"):
            content["has_media_spoiler"] = True
        content["media_group_id"] = group_id
        contents.append(content)
    return where.post(world, p, contents)


@methods("sendLocation")
def send_location(world: World, p: Params) -> Json:
    where = target(world, p)
    location: Json = {"latitude": p.req_float("latitude"), "longitude": p.req_float("longitude")}
    if "horizontal_accuracy" in p:
        location["horizontal_accuracy"] = p.req_float("horizontal_accuracy")
    for name in ("live_period", "heading", "proximity_alert_radius"):
        if name in p:
            location[name] = p.opt_int(name)
    return where.post(world, p, [{"location": location}])[0]


@methods("sendVenue")
def send_venue(world: World, p: Params) -> Json:
    where = target(world, p)
    location = {"latitude": p.req_float("latitude"), "longitude": p.req_float("longitude")}
    venue: Json = {
        "location": location,
        "title": p.req_str("title"),
        "address": p.req_str("address"),
    }
    for name in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
        if name in p:
            venue[name] = p.opt_str(name)
    return where.post(world, p, [{"venue": venue, "location": location}])[0]


@methods("sendContact")
def send_contact(world: World, p: Params) -> Json:
    where = target(world, p)
    contact: Json = {
        "phone_number": p.req_str("phone_number"),
        "first_name": p.req_str("first_name"),
    }
    for name in ("last_name", "vcard"):
        if name in p:
            contact[name] = p.opt_str(name)
    return where.post(world, p, [{"contact": contact}])[0]


@methods("sendPoll")
def send_poll(world: World, p: Params) -> Json:
    where = target(world, p)
    correct = p.json("correct_option_ids") or (
        [p.opt_int("correct_option_id")] if "correct_option_id" in p else []
    )
    poll = make_poll(
        world.new_poll_id(),
        p.req_str("question"),
        p.json("options") or [],
        is_anonymous=p.flag("is_anonymous", default=True),
        poll_type=p.opt_str("type") or "regular",
        allows_multiple_answers=p.flag("allows_multiple_answers"),
        correct_option_id=correct[0] if correct else None,
    )
    return where.post(world, p, [{"poll": poll}])[0]


@methods("sendDice")
def send_dice(world: World, p: Params) -> Json:
    where = target(world, p)
    return where.post(world, p, [{"dice": roll_dice(p.opt_str("emoji") or "🎲", world.rng)}])[0]


def source(world: World, p: Params, missing: str) -> Json:
    chat = world.chat(p.chat_id("from_chat_id"))
    return world.find_message(chat, p.req_int("message_id"), missing)


@methods("copyMessage")
def copy_message(world: World, p: Params) -> Json:
    original = source(world, p, "message to copy not found")
    if is_service(original):
        raise bad_request("message can't be copied")
    where = target(world, p)
    content = copied_content(original, world.rng, world.new_poll_id())  # album id not kept
    if ("caption" in p or "caption_entities" in p) and media_kind(content) in CAPTIONED_KINDS:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content |= caption_fields(
            world, p.opt_str("caption"), p.opt_str("parse_mode"), p.json("caption_entities")
        )
    message = where.post(world, p, [content])[0]
    return {"message_id": message["message_id"]}


def message_ids(p: Params) -> list[int]:
    ids = p.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")
    ids = [int(message_id) for message_id in ids]
    if any(later <= earlier for earlier, later in zip(ids, ids[1:], strict=False)):
        raise bad_request("message identifiers must be in strictly increasing order")
    return ids


@methods("copyMessages")
def copy_messages(world: World, p: Params) -> list[Json]:
    chat = world.chat(p.chat_id("from_chat_id"))
    found = [chat.messages.get(message_id) for message_id in message_ids(p)]
    originals = [message for message in found if message is not None and not is_service(message)]
    if not originals:
        raise bad_request("message to copy not found")
    where = target(world, p)
    new_groups: dict[str, str] = {}
    contents = []
    for original in originals:
        content = copied_content(original, world.rng, world.new_poll_id())
        if p.flag("remove_caption"):
            content.pop("caption", None)
            content.pop("caption_entities", None)
        if group := original.get("media_group_id"):
            content["media_group_id"] = new_groups.setdefault(group, world.new_media_group_id())
        contents.append(content)
    return [{"message_id": message["message_id"]} for message in where.post(world, p, contents)]


@methods("forwardMessage")
def forward_message(world: World, p: Params) -> Json:
    original = source(world, p, "message to forward not found")
    if is_service(original):
        raise bad_request("message can't be forwarded")
    where = target(world, p)
    content = {key: copy.deepcopy(original[key]) for key in CONTENT_KEYS if key in original}
    content["forward_origin"] = copy.deepcopy(original.get("forward_origin")) or {
        "type": "user",
        "date": original["date"],
        "sender_user": original.get("from"),
    }
    return where.post(world, p, [content])[0]


def editable(world: World, p: Params) -> Json:
    if "inline_message_id" in p:
        raise bad_request("inline messages are not supported by the fake")
    chat = world.chat(p.chat_id())
    message = world.find_message(chat, p.opt_int("message_id"), "message to edit not found")
    if message.get("from", {}).get("id") != world.bot_id or is_service(message):
        raise bad_request("message can't be edited")
    return message


def inline_markup(p: Params) -> Json | None:
    markup = p.json("reply_markup")
    return markup if markup and "inline_keyboard" in markup else None


def commit_edit(message: Json, changes: Json) -> Json:
    """Apply `changes` (None removes a field); identical content → not modified."""
    if all(message.get(key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())
    return copy.deepcopy(message)


@methods("editMessageText")
def edit_message_text(world: World, p: Params) -> Json:
    fields = text_fields(world, p)
    message = editable(world, p)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    # Leaving out reply_markup removes the inline keyboard, as in Telegram.
    changes = {
        "text": fields["text"],
        "entities": fields.get("entities"),
        "reply_markup": inline_markup(p),
    }
    return commit_edit(message, changes)


@methods("editMessageCaption")
def edit_message_caption(world: World, p: Params) -> Json:
    message = editable(world, p)
    if media_kind(message) not in CAPTIONED_KINDS:
        raise bad_request("there is no caption in the message to edit")
    fields = caption_fields(
        world, p.opt_str("caption"), p.opt_str("parse_mode"), p.json("caption_entities")
    )
    changes = {
        "caption": fields.get("caption"),
        "caption_entities": fields.get("caption_entities"),
        "reply_markup": inline_markup(p),
    }
    if "show_caption_above_media" in p:
        changes["show_caption_above_media"] = p.flag("show_caption_above_media") or None
    return commit_edit(message, changes)


@methods("editMessageMedia")
def edit_message_media(world: World, p: Params) -> Json:
    message = editable(world, p)
    media = p.json("media")
    if media_kind(message) is None:
        raise bad_request("there is no media in the message to edit")
    kind = media.get("type") if isinstance(media, dict) else None
    if kind not in MEDIA_FIELDS or kind in {"voice", "video_note", "sticker"}:
        raise bad_request("invalid media type specified")
    fields = {name: media[name] for name in MEDIA_FIELDS[kind] if name in media}
    obj = world.files.resolve(kind, media.get("media"), p.files, fields)
    changes: Json = dict.fromkeys(MEDIA_KINDS)
    changes |= media_content(kind, obj)
    captions = caption_fields(
        world, media.get("caption"), media.get("parse_mode"), media.get("caption_entities")
    )
    changes["caption"] = captions.get("caption")
    changes["caption_entities"] = captions.get("caption_entities")
    changes["has_media_spoiler"] = True if media.get("has_spoiler") else None
    changes["reply_markup"] = inline_markup(p)
    return commit_edit(message, changes)


@methods("editMessageReplyMarkup")
def edit_message_reply_markup(world: World, p: Params) -> Json:
    return commit_edit(editable(world, p), {"reply_markup": inline_markup(p)})


def delete_one(world: World, chat: Chat, message_id: int) -> None:
    message = world.find_message(chat, message_id, "message to delete not found")
    own = message.get("from", {}).get("id") == world.bot_id
    may_delete = own or chat.is_private or world.bot_can(chat, "can_delete_messages")
    if "forum_topic_created" in message or not may_delete:
        raise bad_request("message can't be deleted")
    world.remove_message(chat, message_id)


@methods("deleteMessage")
def delete_message(world: World, p: Params) -> bool:
    delete_one(world, world.chat(p.chat_id()), p.req_int("message_id"))
    return True


@methods("deleteMessages")
def delete_messages(world: World, p: Params) -> bool:
    chat = world.chat(p.chat_id())
    ids = p.json("message_ids") or []
    if not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")
    for message_id in ids:
        with contextlib.suppress(ApiError):  # Telegram skips what it can't delete
            delete_one(world, chat, int(message_id))
    return True
