"""Copying and forwarding messages."""

from __future__ import annotations

import copy

from ..chats import Json
from ..content import CAPTIONED_KINDS, CONTENT_KEYS, copied_content, is_service, media_kind
from ..errors import bad_request
from ..params import Params
from ..world import World
from .sending import caption_fields, target
from .table import MethodTable

methods = MethodTable()


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
