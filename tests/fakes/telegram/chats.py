"""Chats of the fake as Telegram keeps them: a private chat or a forum supergroup, its
members, topics, history and the bot's reactions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_pin_messages",
    "can_manage_topics",
)


@dataclass
class Topic:
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    is_closed: bool = False
    is_deleted: bool = False
    created_by_bot: bool = False

    def as_forum_topic(self) -> Json:
        topic: Json = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class Chat:
    id: int
    type: str  # "private" or "supergroup"
    title: str | None = None
    is_forum: bool = False
    user: Json | None = None  # the person of a private chat
    members: dict[int, str] = field(default_factory=dict)  # user id → status
    bot_member: Json = field(default_factory=lambda: {"status": "member"})  # the main bot's
    helper_members: dict[int, Json] = field(default_factory=dict)  # other bots': id → record
    topics: dict[int, Topic] = field(default_factory=dict)
    messages: dict[int, Json] = field(default_factory=dict)  # live history by message_id
    removed: dict[int, Json] = field(default_factory=dict)  # deleted messages, for inspection
    reactions: dict[int, list[Json]] = field(default_factory=dict)  # the bot's reactions
    pinned: list[int] = field(default_factory=list)
    last_message_id: int = 0
    blocked: bool = False  # private: the user blocked the bot

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def as_chat(self) -> Json:
        if self.user is not None:
            chat = {"id": self.id, "type": "private"}
            chat.update(
                {
                    key: self.user[key]
                    for key in ("first_name", "last_name", "username")
                    if self.user.get(key)
                }
            )
            return chat
        chat = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def live_topic(self, thread_id: int) -> Topic | None:
        topic = self.topics.get(thread_id)
        return topic if topic is not None and not topic.is_deleted else None
