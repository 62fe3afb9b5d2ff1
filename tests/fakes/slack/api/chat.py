"""chat.* and reactions.*: posting, editing, deleting, ephemerals, permalinks, reactions."""

from __future__ import annotations

import copy
import re

from ..errors import SlackError
from ..params import Params
from ..world import Json, World
from .table import MethodTable

methods = MethodTable()

MAX_TEXT = 40_000
MAX_BLOCKS = 50
REACTION_NAME = re.compile(r"[a-z0-9_+'\-]+(::skin-tone-[2-6])?")
WRITE = ("chat:write",)


def check_blocks(p: Params) -> list[Json] | None:
    blocks = p.document("blocks")
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        raise SlackError("invalid_blocks")
    block_ids: set[str] = set()
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise SlackError("invalid_blocks")
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                raise SlackError(
                    "invalid_blocks",
                    extra={"response_metadata": {"messages": ["[ERROR] duplicate block_id"]}},
                )
            block_ids.add(block_id)
    return blocks


def message_content(p: Params, *, required: bool = True) -> tuple[str | None, list[Json] | None]:
    text = p.text("text")
    blocks = check_blocks(p)
    attachments = p.document("attachments")
    if required and text is None and not blocks and not attachments:
        raise SlackError("no_text")
    if text is not None and len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return text, blocks


def bot_message(world: World, ts: str, text: str | None, blocks: list[Json] | None) -> Json:
    message: Json = {
        "user": world.bot_user_id,
        "type": "message",
        "ts": ts,
        "bot_id": world.bot_id,
        "app_id": world.app_id,
        "text": text or "",
        "team": world.team_id,
        "bot_profile": world.bot_profile(),
    }
    if blocks is not None:
        message["blocks"] = copy.deepcopy(blocks)
    return message


@methods("chat.postMessage", scopes=WRITE)
def post_message(world: World, p: Params) -> Json:
    channel = world.writable_channel(p.text("channel"))
    text, blocks = message_content(p)
    if world.limits:
        world.limiter.take(channel.id)
    message = bot_message(world, world.next_ts(), text, blocks)
    for key in ("attachments", "metadata"):
        value = p.document(key)
        if value:
            message[key] = value
    for key in ("username", "icon_emoji", "icon_url"):
        if p.text(key):
            message[key] = p.text(key)
    thread_ts = p.text("thread_ts")
    if thread_ts:
        message["thread_ts"] = thread_ts
        if p.flag("reply_broadcast"):
            message["subtype"] = "thread_broadcast"
            message["root"] = copy.deepcopy(channel.messages.get(thread_ts, {}))
    world.store_message(channel, message)
    world.stats.posts_per_channel[channel.id] += 1
    return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}


@methods("chat.update", scopes=WRITE)
def update(world: World, p: Params) -> Json:
    channel = world.visible_channel(p.text("channel"))
    if channel.is_archived:
        raise SlackError("is_archived")
    message = world.find_message(channel, p.text("ts"))
    if not world.is_bots(message):
        raise SlackError("cant_update_message")
    text, blocks = message_content(p, required=False)
    attachments = p.document("attachments")
    if text is None and blocks is None and attachments is None:
        raise SlackError("no_text")
    if text is not None:
        message["text"] = text
    if blocks is not None:  # omitted blocks are kept; [] removes them
        if blocks:
            message["blocks"] = copy.deepcopy(blocks)
        else:
            message.pop("blocks", None)
    if attachments is not None:
        message["attachments"] = attachments
    message["edited"] = {"user": world.bot_user_id, "ts": world.next_ts()}
    world.changed.fire()
    return {
        "channel": channel.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": copy.deepcopy(message),
    }


@methods("chat.delete", scopes=WRITE)
def delete(world: World, p: Params) -> Json:
    channel = world.visible_channel(p.text("channel"))
    ts = p.text("ts")
    message = world.find_message(channel, ts)
    if not world.is_bots(message):
        raise SlackError("cant_delete_message")
    world.remove_message(channel, message["ts"])
    return {"channel": channel.id, "ts": message["ts"]}


@methods("chat.postEphemeral", scopes=WRITE)
def post_ephemeral(world: World, p: Params) -> Json:
    channel = world.writable_channel(p.text("channel"))
    user = p.required("user", "user_not_found")
    if user not in world.users:
        raise SlackError("user_not_found")
    if user not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = message_content(p)
    message = bot_message(world, world.next_ts(), text, blocks)
    message["channel"] = channel.id
    message["recipient"] = user
    if p.text("thread_ts"):
        message["thread_ts"] = p.text("thread_ts")
    world.ephemeral.setdefault(user, []).append(message)
    world.changed.fire()
    return {"message_ts": message["ts"]}


@methods("chat.getPermalink")
def get_permalink(world: World, p: Params) -> Json:
    channel = world.visible_channel(p.text("channel"))
    message = world.find_message(channel, p.text("message_ts"))
    link = world.permalink(channel.id, message["ts"], message.get("thread_ts"))
    return {"channel": channel.id, "permalink": link}


# ----- reactions -------------------------------------------------------------------


def reaction_target(world: World, p: Params) -> tuple[Json, str]:
    channel = world.visible_channel(p.text("channel"))
    name = p.text("name")
    if not name or not REACTION_NAME.fullmatch(name):
        raise SlackError("invalid_name")
    if not p.text("timestamp"):
        raise SlackError("no_item_specified")
    return world.find_message(channel, p.text("timestamp")), name


@methods("reactions.add", scopes=("reactions:write",))
def reactions_add(world: World, p: Params) -> Json:
    message, name = reaction_target(world, p)
    reactions: list[Json] = message.setdefault("reactions", [])
    for reaction in reactions:
        if reaction["name"] == name:
            if world.bot_user_id in reaction["users"]:
                raise SlackError("already_reacted")
            reaction["users"].append(world.bot_user_id)
            reaction["count"] += 1
            break
    else:
        reactions.append({"name": name, "users": [world.bot_user_id], "count": 1})
    world.changed.fire()
    return {}


@methods("reactions.remove", scopes=("reactions:write",))
def reactions_remove(world: World, p: Params) -> Json:
    message, name = reaction_target(world, p)
    reactions: list[Json] = message.get("reactions", [])
    for reaction in reactions:
        if reaction["name"] == name and world.bot_user_id in reaction["users"]:
            reaction["users"].remove(world.bot_user_id)
            reaction["count"] -= 1
            if not reaction["users"]:
                reactions.remove(reaction)
            if not reactions:
                message.pop("reactions", None)
            world.changed.fire()
            return {}
    raise SlackError("no_reaction")
