"""What every part of the Telegram sender shares: the bot and its settings, the pacing
buckets of its calls, and a send into a topic that reopens the topic when it was closed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import MessageEntity

from bot.base.events import TEXT_ONLY
from bot.base.i18n import Translator
from bot.base.ports import Bucket, CustomerTarget, FileData, Outgoing, ThreadTarget
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bridges.telegram.errors import TopicClosed, call

if TYPE_CHECKING:
    from bridges.telegram.sender import TelegramSender

T = TypeVar("T")


class SenderBase:
    """The state and the calls the sender's parts (`bridges/telegram/sender`) build on."""

    def __init__(
        self,
        bot: Bot,
        translator: Translator,
        settings: Settings,
        entry_point_key: str | None,
        fetch: Callable[[Outgoing], Awaitable[list[FileData]]],
        redactor: Redactor,
        helpers: Callable[[str], dict[str, TelegramSender]] = lambda chat: {},
        main: TelegramSender | None = None,
        refused: Callable[[str], None] = lambda chat: None,
    ):
        """`entry_point_key` is None for a helper bot, which sees no customer's private chat;
        `main` is then the bot that sends what a helper cannot (a location, a poll), and
        `refused` is told of a group where Telegram refuses the helper for good: what it
        failed to send goes again, by another bot."""
        self._fetch = fetch
        self._redactor = redactor
        self._bot = bot
        self._translator = translator
        self._settings = settings
        self._entry_point_key = entry_point_key
        self._zone = ZoneInfo(settings.timezone)  # the times shown in merged messages
        self._helpers = helpers
        self._main = main
        self._refused = refused

    @property
    def voice(self) -> str:
        """The name a helper goes by: its bot's id."""
        return str(self._bot.id)

    def helpers(self, chat: str) -> dict[str, TelegramSender]:
        return self._helpers(chat)

    async def _call(self, request: Awaitable[T], bucket: str | None) -> T | None:
        return await call(request, bucket, self._redactor)

    # -- pacing -------------------------------------------------------------------------------

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        overall = Bucket(f"tg:{self._bot.id}:all", self._settings.telegram_global_per_second, 1.0)
        if not posts:
            return [overall]
        return [self._chat_bucket(chat), overall]

    def _chat_bucket(self, chat: str) -> Bucket:
        if chat.startswith("-"):
            return Bucket(
                f"tg:{self._bot.id}:chat:{chat}", self._settings.telegram_group_per_minute, 60.0
            )
        return Bucket(
            f"tg:{self._bot.id}:chat:{chat}", self._settings.telegram_chat_per_second, 1.0
        )

    def _bucket_key(self, chat: str) -> str:
        return self._chat_bucket(chat).key

    async def _in_topic(self, target: ThreadTarget | CustomerTarget, request: Any) -> Any:
        """Send; a topic closed by hand is reopened once and the send tried again."""
        bucket = self._bucket_key(target.chat)
        try:
            return await self._call(request(), bucket)
        except TopicClosed:
            assert isinstance(target, ThreadTarget) and target.thread_id
            await self._call(
                self._bot.reopen_forum_topic(
                    chat_id=int(target.chat), message_thread_id=int(target.thread_id)
                ),
                bucket,
            )
            return await self._call(request(), bucket)

    def _source_chat(self, message: Outgoing) -> str | None:
        """The chat to copy from, when the message came through this same bot."""
        if message.content.get(TEXT_ONLY):
            return None
        key = message.source_chat_key or ""
        own = (f"{self._entry_point_key}:",) if self._entry_point_key else ()
        for prefix in (*own, "ws:telegram:"):
            if key.startswith(prefix) and message.source_external_id:
                return key[len(prefix) :]
        return None


def message_thread_id(target: ThreadTarget) -> int | None:
    return int(target.thread_id) if target.thread_id else None


def message_entities(raw: list[dict[str, Any]] | None) -> list[MessageEntity] | None:
    return [MessageEntity.model_validate(e) for e in raw] if raw else None
