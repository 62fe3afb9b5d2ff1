"""The fake's state: users, chats, topics, messages, files and the update queue,
plus the rules every Bot API method shares (lookups, permissions, rate limits).
"""

from __future__ import annotations

import copy
import random
import time

from ..common import Signal
from .bots import ACTING, FakeBot, bot_user
from .chats import Chat, Json
from .content import FileStore, is_service
from .errors import bad_request, forbidden
from .limits import RateLimiter, Stats
from .params import Params
from .webhooks import Webhook


def snapshot(message: Json) -> Json:
    """A message as embedded in another one (reply_to_message goes one level deep)."""
    return {
        key: copy.deepcopy(value) for key, value in message.items() if key != "reply_to_message"
    }


class World:
    """State and shared rules; Bot API methods and test helpers build on it."""

    def __init__(
        self,
        token: str,
        *,
        bot_id: int,
        bot_username: str,
        bot_name: str,
        limits: bool,
        service_updates: bool,
        topic_reply_quirk: bool,
        limiter: RateLimiter,
        seed: int,
    ) -> None:
        self.token = token
        self.main_bot = FakeBot(token, bot_user(bot_id, bot_name, bot_username), limiter, True)
        self.bots: dict[str, FakeBot] = {token: self.main_bot}
        self.limits = limits
        self.service_updates = service_updates
        self.topic_reply_quirk = topic_reply_quirk
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.users: dict[int, Json] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.updates: list[Json] = []  # queued, not yet confirmed or delivered
        self.webhook: Webhook | None = None
        self.commands: dict[str, list[Json]] = {}  # "<scope json>|<language>" → commands
        self.callback_queries: dict[str, Json] = {}
        self.callback_answers: dict[str, Json] = {}
        self.changed = Signal()
        self.poll_generation = 0  # bumped by each getUpdates; an older poll then gets 409
        self.closing = False
        self._last_update_id = 100_000
        self._poll_seq = 0

    # ----- the bot making the call ---------------------------------------------------

    @property
    def acting(self) -> FakeBot:
        return ACTING.get() or self.main_bot

    @property
    def bot_id(self) -> int:
        return self.acting.id

    @property
    def bot_user(self) -> Json:
        return self.acting.user

    @property
    def limiter(self) -> RateLimiter:
        return self.acting.limiter

    def membership(self, chat: Chat) -> Json:
        """The acting bot's member record in a group."""
        return self.member_record(chat, self.acting)

    def member_record(self, chat: Chat, bot: FakeBot) -> Json:
        if bot.main:
            return chat.bot_member
        return chat.helper_members.get(bot.id, {"status": "left"})

    def bot_with_id(self, user_id: int) -> FakeBot | None:
        return next((bot for bot in self.bots.values() if bot.id == user_id), None)

    # ----- identifiers -----------------------------------------------------------

    def new_poll_id(self) -> str:
        self._poll_seq += 1
        return f"5{self._poll_seq:018d}"

    def new_media_group_id(self) -> str:
        return str(self.rng.randrange(10**17, 10**18))

    # ----- updates ---------------------------------------------------------------

    def queue_update(self, update: Json) -> int:
        if "update_id" in update:
            self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        else:
            self._last_update_id += 1
            update = {"update_id": self._last_update_id, **update}
        self.updates.append(update)
        self.changed.fire()
        return int(update["update_id"])

    # ----- lookups and checks shared by methods ------------------------------------

    def chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is not None and chat.is_private and not self.acting.main:
            chat = None  # customers started the main bot only: a helper never sees them
        if chat is None:
            if chat_id in self.users:  # known person who never started the bot
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        return chat

    def check_bot_can_write(self, chat: Chat) -> None:
        if chat.is_private:
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
        elif self.membership(chat)["status"] in {"left", "kicked"}:
            raise forbidden(f"bot is not a member of the {chat.type} chat")

    def bot_can(self, chat: Chat, right: str) -> bool:
        record = self.membership(chat)
        status = record["status"]
        if status == "administrator":
            return bool(record.get(right))
        return status == "creator"

    def send_thread(self, chat: Chat, thread_id: int | None) -> int | None:
        """The topic a bot message goes to; raises for deleted/closed topics."""
        if thread_id is None or not chat.is_forum:
            return None
        topic = chat.live_topic(thread_id)
        if topic is None:
            raise bad_request("message thread not found")
        if topic.is_closed:
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    def find_message(self, chat: Chat, message_id: int | None, missing: str) -> Json:
        message = chat.messages.get(message_id) if message_id is not None else None
        if message is None:
            raise bad_request(missing)
        return message

    def reply_target(self, chat: Chat, p: Params) -> Json | None:
        """reply_parameters (or legacy reply_to_message_id) → the replied message."""
        reply = p.json("reply_parameters") or {}
        message_id = reply.get("message_id") if reply else p.opt_int("reply_to_message_id")
        if message_id is None:
            return None
        if reply.get("chat_id") not in (None, chat.id, str(chat.id)):
            chat = self.chat(int(reply["chat_id"]))
        target = chat.messages.get(int(message_id))
        if target is None:
            allow = reply.get("allow_sending_without_reply", p.flag("allow_sending_without_reply"))
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

    def take_slots(self, chat: Chat, count: int = 1) -> None:
        """Rate limits for `count` new bot messages in the chat (429 when over)."""
        if self.limits:
            self.limiter.take(chat.id, count)

    # ----- storing messages --------------------------------------------------------

    def add_message(
        self,
        chat: Chat,
        sender: Json | None,
        content: Json,
        *,
        thread_id: int | None = None,
        reply_to: Json | None = None,
        reply_markup: Json | None = None,
    ) -> Json:
        """Store a message in the chat's history and return the stored dict."""
        chat.last_message_id += 1
        message: Json = {"message_id": chat.last_message_id, "date": int(time.time())}
        if sender is not None:
            message["from"] = copy.deepcopy(sender)
        message["chat"] = chat.as_chat()
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            if reply_to is None and self.topic_reply_quirk:
                # Telegram makes every plain topic message a "reply" to the topic's
                # forum_topic_created service message.
                reply_to = chat.messages.get(thread_id)
        if reply_to is not None:
            message["reply_to_message"] = snapshot(reply_to)
        message.update(copy.deepcopy(content))
        if reply_markup and "inline_keyboard" in reply_markup:
            message["reply_markup"] = copy.deepcopy(reply_markup)
        chat.messages[message["message_id"]] = message
        return message

    def bot_posts(
        self,
        chat: Chat,
        contents: list[Json],
        *,
        thread_id: int | None = None,
        reply_to: Json | None = None,
        reply_markup: Json | None = None,
    ) -> list[Json]:
        """Messages the bot creates: rate limited, counted, never sent back as updates."""
        self.take_slots(chat, len(contents))
        messages = [
            self.add_message(
                chat,
                self.bot_user,
                content,
                thread_id=thread_id,
                reply_to=reply_to,
                reply_markup=reply_markup,
            )
            for content in contents
        ]
        self.stats.messages_per_chat[chat.id] += len(messages)
        return messages

    def remove_message(self, chat: Chat, message_id: int) -> None:
        message = chat.messages.pop(message_id, None)
        if message is not None:
            chat.removed[message_id] = message
            chat.reactions.pop(message_id, None)

    def service_message(self, chat: Chat, sender: Json, thread_id: int, service: Json) -> Json:
        """A topic service message; delivered to the bot only if sent by a person and
        `service_updates` is on."""
        by_bot = sender.get("id") == self.bot_id
        if by_bot:
            self.take_slots(chat)
            self.stats.messages_per_chat[chat.id] += 1
        message = self.add_message(chat, sender, service, thread_id=thread_id)
        message.pop("reply_to_message", None)
        if self.service_updates and not by_bot:
            self.queue_update({"message": copy.deepcopy(message)})
        return message

    def drop_topic(self, chat: Chat, thread_id: int) -> None:
        """Delete a topic together with all of its messages."""
        chat.topics[thread_id].is_deleted = True
        for message_id, message in list(chat.messages.items()):
            if message.get("message_thread_id") == thread_id:
                self.remove_message(chat, message_id)

    def history(self, chat_id: int, thread_id: int | None, *, include_service: bool) -> list[Json]:
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [
            copy.deepcopy(message)
            for message in chat.messages.values()
            if (thread_id is None or message.get("message_thread_id") == thread_id)
            and (include_service or not is_service(message))
        ]
