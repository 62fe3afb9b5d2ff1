"""Editing and deleting the bot's messages."""

from __future__ import annotations

import contextlib
import copy
import time

from ..chats import Chat, Json
from ..content import CAPTIONED_KINDS, MEDIA_KINDS, is_service, media_content, media_kind
from ..errors import ApiError, bad_request
from ..params import Params
from ..world import World
from .sending import MEDIA_FIELDS, caption_fields, text_fields
from .table import MethodTable

methods = MethodTable()

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


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
