"""Sending messages: text, media, albums, locations, venues, contacts, polls and dice;
with the text and caption rules that copying and editing share."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..chats import Chat, Json
from ..content import CAPTIONED_KINDS, MEDIA_KINDS, make_poll, media_content, roll_dice
from ..errors import bad_request
from ..markup import formatted, is_blank, utf16_length
from ..params import Params
from ..world import World
from .table import MethodTable

methods = MethodTable()

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
