"""Forum topics: create, edit, close, reopen, delete."""

from __future__ import annotations

from typing import Any

from ..chats import Chat, Json, Topic
from ..content import TOPIC_ICON_COLORS, forum_icon_stickers
from ..errors import bad_request
from ..params import Params
from ..world import World
from .table import MethodTable

methods = MethodTable()


def forum(world: World, p: Params) -> Chat:
    chat = world.chat(p.chat_id())
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    world.check_bot_can_write(chat)
    return chat


def managed_topic(world: World, chat: Chat, p: Params) -> Topic:
    """A live topic the bot may edit, close or reopen."""
    topic = chat.live_topic(p.req_int("message_thread_id"))
    if topic is None:
        raise bad_request("TOPIC_ID_INVALID")
    is_admin = world.membership(chat)["status"] in {"creator", "administrator"}
    # Telegram lets a bot manage topics it created without can_manage_topics.
    if not is_admin or not (world.bot_can(chat, "can_manage_topics") or topic.created_by_bot):
        raise bad_request("not enough rights to manage topics")
    return topic


@methods("createForumTopic")
def create_forum_topic(world: World, p: Params) -> Json:
    chat = forum(world, p)
    if not world.bot_can(chat, "can_manage_topics"):
        raise bad_request("not enough rights to create a topic")
    name = p.req_str("name")
    icon_color = p.opt_int("icon_color") or TOPIC_ICON_COLORS[0]
    if icon_color not in TOPIC_ICON_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    topic = Topic(
        message_thread_id=chat.last_message_id + 1,  # == id of its service message
        name=name,
        icon_color=icon_color,
        icon_custom_emoji_id=p.opt_str("icon_custom_emoji_id") or None,
        created_by_bot=True,
    )
    created: Json = {"name": name, "icon_color": icon_color}
    if topic.icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
    world.service_message(
        chat, world.bot_user, topic.message_thread_id, {"forum_topic_created": created}
    )
    chat.topics[topic.message_thread_id] = topic
    return topic.as_forum_topic()


@methods("editForumTopic")
def edit_forum_topic(world: World, p: Params) -> bool:
    chat = forum(world, p)
    topic = managed_topic(world, chat, p)
    edited: dict[str, Any] = {}
    name = p.opt_str("name")
    if name and name != topic.name:
        edited["name"] = name
    emoji = p.opt_str("icon_custom_emoji_id")
    if emoji is not None and emoji != (topic.icon_custom_emoji_id or ""):
        edited["icon_custom_emoji_id"] = emoji
    if not edited:
        raise bad_request("TOPIC_NOT_MODIFIED")
    world.service_message(
        chat, world.bot_user, topic.message_thread_id, {"forum_topic_edited": edited}
    )
    topic.name = edited.get("name", topic.name)
    if "icon_custom_emoji_id" in edited:
        topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] or None
    return True


def set_closed(world: World, p: Params, closed: bool) -> bool:
    chat = forum(world, p)
    topic = managed_topic(world, chat, p)
    if topic.is_closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    service = "forum_topic_closed" if closed else "forum_topic_reopened"
    world.service_message(chat, world.bot_user, topic.message_thread_id, {service: {}})
    topic.is_closed = closed
    return True


@methods("closeForumTopic")
def close_forum_topic(world: World, p: Params) -> bool:
    return set_closed(world, p, closed=True)


@methods("reopenForumTopic")
def reopen_forum_topic(world: World, p: Params) -> bool:
    return set_closed(world, p, closed=False)


@methods("deleteForumTopic")
def delete_forum_topic(world: World, p: Params) -> bool:
    chat = forum(world, p)
    thread_id = p.req_int("message_thread_id")
    if chat.live_topic(thread_id) is None:
        raise bad_request("TOPIC_ID_INVALID")
    if not world.bot_can(chat, "can_delete_messages"):
        raise bad_request("not enough rights to delete a topic")
    world.drop_topic(chat, thread_id)
    return True


@methods("unpinAllForumTopicMessages")
def unpin_all_forum_topic_messages(world: World, p: Params) -> bool:
    chat = forum(world, p)
    thread_id = p.req_int("message_thread_id")
    if chat.live_topic(thread_id) is None:
        raise bad_request("TOPIC_ID_INVALID")
    chat.pinned = [
        message_id
        for message_id in chat.pinned
        if chat.messages.get(message_id, {}).get("message_thread_id") != thread_id
    ]
    return True


@methods("getForumTopicIconStickers")
def get_forum_topic_icon_stickers(world: World, p: Params) -> list[Json]:
    return forum_icon_stickers()
