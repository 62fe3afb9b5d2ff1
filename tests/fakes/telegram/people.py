"""Test-side helpers: set up the world, act as people, inspect what chats show."""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Iterable, Mapping
from typing import Any

from .bots import FakeBot, bot_user
from .chats import ADMIN_RIGHTS, Chat, Json
from .content import CAPTIONED_KINDS, generate_content, media_kind
from .world import World

# Who Telegram shows as the sender of an anonymous group admin's actions.
ANONYMOUS_ADMIN: Json = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


class People(World):
    """Synchronous helpers tests call to arrange state and simulate people."""

    # ----- setup ---------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> Json:
        """A person who has started the bot (so they have a private chat with it)."""
        user: Json = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user |= {key: value for key, value in optional.items() if value is not None}
        self.users[user_id] = user
        if not is_bot:
            chat = self.chats.setdefault(user_id, Chat(id=user_id, type="private"))
            chat.user = user
        return copy.deepcopy(user)

    def add_forum(
        self,
        chat_id: int,
        title: str,
        *,
        members: Iterable[int] | Mapping[int, str] = (),
        is_forum: bool = True,
        bot_status: str = "administrator",
        can_manage_topics: bool = True,
        can_delete_messages: bool = True,
        **bot_rights: bool,
    ) -> Json:
        """A supergroup (a forum by default). `members` maps user id → status
        ("creator", "administrator", "member", "left") or lists plain members;
        unknown ids become users who never started the bot."""
        if isinstance(members, Mapping):
            statuses = dict(members)
        else:
            statuses = dict.fromkeys(members, "member")
        for user_id in statuses:
            if user_id not in self.users:
                user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
                self.users[user_id] = user
        chat = Chat(id=chat_id, type="supergroup", title=title, is_forum=is_forum, members=statuses)
        self.chats[chat_id] = chat
        self.set_bot_member(
            chat_id,
            status=bot_status,
            can_manage_topics=can_manage_topics,
            can_delete_messages=can_delete_messages,
            **bot_rights,
        )
        return chat.as_chat()

    def set_bot_member(self, chat_id: int, *, status: str | None = None, **rights: bool) -> None:
        """Promote/demote the bot in a group; unspecified admin rights default to True."""
        chat = self.chats[chat_id]
        record = chat.bot_member
        if status is not None:
            record = {"status": status}
            if status == "administrator":
                record |= dict.fromkeys(ADMIN_RIGHTS, True)
        chat.bot_member = record | rights

    def add_bot(self, token: str, bot_id: int, username: str) -> Json:
        """Another bot served by this fake (a helper bot): its own token, identity and rate
        limits; it sees no private chats and is in no group until `set_helper_member`."""
        self.bots[token] = FakeBot(
            token, bot_user(bot_id, username, username), self.main_bot.limiter.twin(), False
        )
        return copy.deepcopy(self.bots[token].user)

    def set_helper_member(
        self, chat_id: int, bot_id: int, *, status: str = "administrator", **rights: bool
    ) -> None:
        """Add a helper bot to a group (an admin with every right by default)."""
        record: Json = {"status": status}
        if status == "administrator":
            record |= dict.fromkeys(ADMIN_RIGHTS, True)
        self.chats[chat_id].helper_members[bot_id] = record | rights

    def block_bot(self, user_id: int, blocked: bool = True) -> None:
        self._private(user_id).blocked = blocked

    def queue_raw_update(self, update: Mapping[str, Any]) -> int:
        return self.queue_update(dict(update))

    # ----- people act ---------------------------------------------------------------

    def user_sends(
        self,
        user_id: int,
        text: str | None = None,
        *,
        entities: list[Json] | None = None,
        photo: bool | list[Json] = False,
        caption: str | None = None,
        kind: str | None = None,
        media_group_id: str | None = None,
        reply_to: int | None = None,
        **fields: Any,
    ) -> Json:
        """The user writes to the bot in private; `kind` picks the content type and
        `fields` override any part of the generated message."""
        chat = self._private(user_id)
        chat.blocked = False  # writing to a bot unblocks it
        if isinstance(photo, list):
            fields["photo"] = photo
        kind = kind or ("photo" if photo else "text")
        content = generate_content(
            kind,
            self.files,
            self.rng,
            text=text,
            entities=entities,
            caption=caption,
            poll_id=self.new_poll_id(),
        )
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._person_posts(chat, self.users[user_id], content | fields, None, reply_to)

    def user_sends_album(
        self, user_id: int, count: int = 2, *, kind: str = "photo", caption: str | None = None
    ) -> list[Json]:
        """An album of `count` items; the caption goes on the first one, as in Telegram."""
        group_id = self.new_media_group_id()
        return [
            self.user_sends(
                user_id, kind=kind, caption=caption if index == 0 else None, media_group_id=group_id
            )
            for index in range(count)
        ]

    def member_sends(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        thread_id: int | None = None,
        kind: str | None = None,
        reply_to: int | None = None,
        entities: list[Json] | None = None,
        **fields: Any,
    ) -> Json:
        """A group member writes in the group, in topic `thread_id` if given."""
        chat = self.chats[chat_id]
        if chat.members.get(user_id) in (None, "left", "kicked"):
            raise ValueError(f"user {user_id} is not a member of chat {chat_id}")
        if thread_id is not None and chat.live_topic(thread_id) is None:
            raise ValueError(f"topic {thread_id} does not exist in chat {chat_id}")
        content = generate_content(
            kind or "text",
            self.files,
            self.rng,
            text=text,
            entities=entities,
            caption=None,
            poll_id=self.new_poll_id(),
        )
        return self._person_posts(chat, self.users[user_id], content | fields, thread_id, reply_to)

    def user_edits(self, chat_id: int, message_id: int, text: str) -> Json:
        """A person edits the text (or caption) of their message → edited_message."""
        message = self.chats[chat_id].messages[message_id]
        if "text" in message:
            message["text"] = text
            message.pop("entities", None)
        elif media_kind(message) in CAPTIONED_KINDS:
            message["caption"] = text
            message.pop("caption_entities", None)
        else:
            raise ValueError("this message has neither text nor caption")
        message["edit_date"] = int(time.time())
        self.queue_update({"edited_message": copy.deepcopy(message)})
        return copy.deepcopy(message)

    def press_button(self, chat_id: int, message_id: int, user_id: int, data: str) -> Json:
        """A person presses an inline button → callback_query."""
        message = self.chats[chat_id].messages[message_id]
        query_id = str(4_382_000_000_000_000_000 + len(self.callback_queries) + 1)
        query: Json = {
            "id": query_id,
            "from": copy.deepcopy(self.users[user_id]),
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(chat_id) * 31 + self.bot_id),
            "data": data,
        }
        self.callback_queries[query_id] = query
        self.queue_update({"callback_query": copy.deepcopy(query)})
        return copy.deepcopy(query)

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An admin deletes the topic (and its messages) by hand."""
        self.drop_topic(self.chats[chat_id], thread_id)

    def close_topic(self, chat_id: int, thread_id: int, *, by: int | None = None) -> Json:
        return self._set_topic_closed(chat_id, thread_id, True, by)

    def reopen_topic(self, chat_id: int, thread_id: int, *, by: int | None = None) -> Json:
        return self._set_topic_closed(chat_id, thread_id, False, by)

    # ----- inspection ----------------------------------------------------------------

    def chat_messages(
        self, chat_id: int, thread_id: int | None = None, include_service: bool = False
    ) -> list[Json]:
        """The live history of a chat (or of one topic), oldest first."""
        return self.history(chat_id, thread_id, include_service=include_service)

    def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[Json]:
        return [
            message
            for message in self.history(chat_id, thread_id, include_service=False)
            if message.get("from", {}).get("id") == self.bot_id
        ]

    def message(self, chat_id: int, message_id: int) -> Json | None:
        chat = self.chats.get(chat_id)
        found = chat.messages.get(message_id) if chat else None
        return copy.deepcopy(found)

    def topics(self, chat_id: int) -> list[Json]:
        """All topics ever created in the chat, deleted ones flagged `is_deleted`."""
        return [dataclasses.asdict(topic) for topic in self.chats[chat_id].topics.values()]

    def topic(self, chat_id: int, name: str) -> Json | None:
        """The newest live topic with this name."""
        live = [t for t in self.topics(chat_id) if t["name"] == name and not t["is_deleted"]]
        return live[-1] if live else None

    def reactions(self, chat_id: int, message_id: int) -> list[Json]:
        return copy.deepcopy(self.chats[chat_id].reactions.get(message_id, []))

    def pending_updates(self) -> list[Json]:
        return copy.deepcopy(self.updates)

    # ----- internals -------------------------------------------------------------------

    def _private(self, user_id: int) -> Chat:
        chat = self.chats.get(user_id)
        if chat is None or not chat.is_private:
            raise KeyError(f"no private chat with user {user_id}; call add_user() first")
        return chat

    def _person_posts(
        self, chat: Chat, sender: Json, content: Json, thread_id: int | None, reply_to: int | None
    ) -> Json:
        reply = chat.messages[reply_to] if reply_to is not None else None
        thread = thread_id if chat.is_forum else None
        message = self.add_message(chat, sender, content, thread_id=thread, reply_to=reply)
        if chat.is_private or chat.bot_member["status"] not in {"left", "kicked"}:
            self.queue_update({"message": copy.deepcopy(message)})
        return copy.deepcopy(message)

    def _set_topic_closed(self, chat_id: int, thread_id: int, closed: bool, by: int | None) -> Json:
        chat = self.chats[chat_id]
        topic = chat.live_topic(thread_id)
        if topic is None:
            raise ValueError(f"topic {thread_id} does not exist in chat {chat_id}")
        topic.is_closed = closed
        if by is None:
            admins = [uid for uid, st in chat.members.items() if st in {"creator", "administrator"}]
            by = admins[0] if admins else None
        sender = self.users[by] if by is not None else ANONYMOUS_ADMIN
        service = {"forum_topic_closed" if closed else "forum_topic_reopened": {}}
        if by is None:
            service["sender_chat"] = chat.as_chat()
        return copy.deepcopy(self.service_message(chat, sender, thread_id, service))
