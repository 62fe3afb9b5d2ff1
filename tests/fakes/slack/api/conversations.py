"""conversations.* and users.info."""

from __future__ import annotations

import base64
import copy

from ..errors import SlackError
from ..params import Params
from ..world import Channel, Json, World
from .table import MethodTable

methods = MethodTable()

READ = ("channels:read", "groups:read", "im:read", "mpim:read")
HISTORY = ("channels:history", "groups:history", "im:history", "mpim:history")


def page(items: list, p: Params, default_limit: int) -> tuple[list, str]:
    """Slack's cursor pagination: (this page, next_cursor or "")."""
    limit = p.integer("limit") or default_limit
    limit = max(1, min(limit, 1000))
    offset = 0
    cursor = p.text("cursor")
    if cursor:
        try:
            kind, _, number = base64.b64decode(cursor).decode().partition(":")
            offset = int(number)
            if kind != "offset" or offset < 0:
                raise ValueError(cursor)
        except ValueError:
            raise SlackError("invalid_cursor") from None
    chunk = items[offset : offset + limit]
    following = offset + limit
    next_cursor = base64.b64encode(f"offset:{following}".encode()).decode()
    return chunk, next_cursor if following < len(items) else ""


def in_range(ts: str, p: Params) -> bool:
    inclusive = p.flag("inclusive")
    oldest, latest = p.text("oldest"), p.text("latest")
    value = float(ts)
    if oldest is not None and (value < float(oldest) or (value == float(oldest) and not inclusive)):
        return False
    return not (
        latest is not None and (value > float(latest) or (value == float(latest) and not inclusive))
    )


@methods("conversations.info", scopes=READ)
def info(world: World, p: Params) -> Json:
    channel = world.visible_channel(p.text("channel"))
    info = channel.info(world.bot_user_id, num_members=p.flag("include_num_members"))
    return {"channel": info}


@methods("conversations.members", scopes=READ)
def members(world: World, p: Params) -> Json:
    channel = world.visible_channel(p.text("channel"))
    chunk, next_cursor = page(list(channel.members), p, 100)
    return {"members": chunk, "response_metadata": {"next_cursor": next_cursor}}


@methods("conversations.join", scopes=("channels:join",))
def join(world: World, p: Params) -> Json:
    channel = world.visible_channel(p.text("channel"))
    if channel.is_private or channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    answer: Json = {}
    if world.bot_user_id in channel.members:
        answer = {"warning": "already_in_channel"}
        answer["response_metadata"] = {"warnings": ["already_in_channel"]}
    else:
        channel.members.append(world.bot_user_id)
        world.changed.fire()
    return {"channel": channel.info(world.bot_user_id), **answer}


@methods("conversations.open", scopes=("im:write", "mpim:write"))
def open_dm(world: World, p: Params) -> Json:
    if p.text("channel"):
        channel = world.visible_channel(p.text("channel"))
    else:
        users = [u for u in (p.text("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackError("not_enough_users")  # group DMs are not modelled
        if users[0] not in world.users:
            raise SlackError("user_not_found")
        channel = world.dm_with(users[0])
    if p.flag("return_im"):
        return {"channel": channel.info(world.bot_user_id)}
    return {"channel": {"id": channel.id}}


def history_answer(world: World, channel: Channel, messages: list[Json], p: Params) -> Json:
    chunk, next_cursor = page(messages, p, 100)
    answer: Json = {"messages": copy.deepcopy(chunk), "has_more": bool(next_cursor)}
    if next_cursor:
        answer["response_metadata"] = {"next_cursor": next_cursor}
    return answer


@methods("conversations.replies", scopes=HISTORY)
def replies(world: World, p: Params) -> Json:
    channel = world.readable_channel(p.text("channel"))
    ts = p.text("ts")
    if ts is None:
        raise SlackError("invalid_arguments")
    message = channel.messages.get(ts)
    if message is None:
        raise SlackError("thread_not_found")
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != ts:  # a reply's ts: Slack answers that reply alone
        return history_answer(world, channel, [message], p)
    found = [message, *world.thread_replies(channel, ts)]
    found = [m for m in found if m is message or in_range(m["ts"], p)]
    return history_answer(world, channel, found, p)


@methods("conversations.history", scopes=HISTORY)
def history(world: World, p: Params) -> Json:
    channel = world.readable_channel(p.text("channel"))
    found = [m for m in reversed(world.top_level(channel)) if in_range(m["ts"], p)]
    answer = history_answer(world, channel, found, p)
    answer["pin_count"] = 0
    return answer


@methods("users.info", scopes=("users:read",))
def users_info(world: World, p: Params) -> Json:
    user = world.user(p.required("user", "user_not_found"))
    if not p.flag("include_locale"):
        user.pop("locale", None)
    return {"user": user}
