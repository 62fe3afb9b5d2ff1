"""Sending deliveries with aiogram: into forum topics and to customers' private chats."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.types import (
    BufferedInputFile,
    InputMediaAnimation,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    MessageEntity,
    ReactionTypeEmoji,
    ReplyParameters,
)

from bot.base.cards import Card
from bot.base.events import TEXT_ONLY
from bot.base.i18n import Text, Translator, _
from bot.base.ports import (
    Bucket,
    CustomerTarget,
    FileData,
    OpenedThread,
    Outgoing,
    PermanentError,
    SendResult,
    ThreadTarget,
    TransientError,
)
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bridges.telegram.errors import NotAllowed, NotTheAuthor, PhotoRefused, TopicClosed, call
from bridges.telegram.render import (
    MAX_TEXT,
    card_html,
    card_keyboard,
    notice_html,
    part_html,
    shown_length,
    together_html,
)

T = TypeVar("T")

DELIVERED = "👍"
NOT_DELIVERED = "👎"
# Telegram kinds a bot uploads with a method of their own (`send_<kind>`, field `<kind>`).
_UPLOADS = frozenset(
    {"photo", "video", "animation", "audio", "voice", "video_note", "sticker", "document"}
)
_UNCAPTIONED = frozenset({"sticker", "video_note"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a larger image goes as a document (Bot API, sendPhoto)
_INPUT_MEDIA = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "animation": InputMediaAnimation,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}


class TelegramSender:
    """Both faces of one bot: the operators' forum and the customers' private chats."""

    kind = "telegram"
    channel = "telegram"
    card_opens_thread = False

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

    # -- workspace ----------------------------------------------------------------------------

    async def open_thread(self, chat: str, title: str, card: Card, language: str) -> OpenedThread:
        """Only the topic: the core keeps its id before the card is posted with `post_card`,
        so a 429 or 5xx on the card is retried into this topic, not a second one."""
        topic = await self._call(
            self._bot.create_forum_topic(chat_id=int(chat), name=title), self._bucket_key(chat)
        )
        assert topic is not None
        return OpenedThread(str(topic.message_thread_id), None)

    async def rename_thread(self, target: ThreadTarget, title: str) -> None:
        await self._in_topic(
            target,
            lambda: self._bot.edit_forum_topic(
                chat_id=int(target.chat), message_thread_id=int(target.thread_id or 0), name=title
            ),
        )

    async def post_card(self, target: ThreadTarget, card: Card) -> str:
        sent = await self._in_topic(
            target,
            lambda: self._bot.send_message(
                chat_id=int(target.chat),
                message_thread_id=_thread(target),
                text=card_html(card, self._translator, target.language),
                reply_markup=card_keyboard(card, self._translator, target.language),
                parse_mode="HTML",
            ),
        )
        return str(sent.message_id)

    async def show_card(self, target: ThreadTarget, card: Card) -> str:
        return await self.post_card(target, card)

    def thread_link(self, chat: str, thread_id: str) -> str | None:
        """t.me/c links open the topic for members of the (private) supergroup."""
        return f"https://t.me/c/{chat.removeprefix('-100')}/{thread_id}"

    async def ask(self, target: CustomerTarget, card: Card, fallback: Text) -> str:
        """A question with buttons for the customer (the CSAT rating); Telegram has buttons,
        so `fallback` is not needed."""
        sent = await self._call(
            self._bot.send_message(
                chat_id=int(target.chat),
                text=card_html(card, self._translator, target.language),
                reply_markup=card_keyboard(card, self._translator, target.language),
                parse_mode="HTML",
            ),
            self._bucket_key(target.chat),
        )
        return str(sent.message_id)

    async def update_card(self, target: ThreadTarget, external_id: str, card: Card) -> None:
        await self._call(
            self._bot.edit_message_text(
                chat_id=int(target.chat),
                message_id=int(external_id),
                text=card_html(card, self._translator, target.language),
                reply_markup=card_keyboard(card, self._translator, target.language),
                parse_mode="HTML",
            ),
            None,
        )

    async def notice(self, target: ThreadTarget | CustomerTarget, text: Text) -> str:
        thread = _thread(target) if isinstance(target, ThreadTarget) else None
        sent = await self._in_topic(
            target,
            lambda: self._bot.send_message(
                chat_id=int(target.chat),
                message_thread_id=thread,
                text=notice_html(text, self._translator, target.language),
                parse_mode="HTML",
            ),
        )
        return str(sent.message_id)

    async def confirm(self, chat: str, external_id: str, delivered: bool) -> None:
        emoji = DELIVERED if delivered else NOT_DELIVERED
        await self._call(
            self._bot.set_message_reaction(
                chat_id=int(chat),
                message_id=int(external_id),
                reaction=[ReactionTypeEmoji(emoji=emoji)],
            ),
            None,
        )

    # -- both sides ---------------------------------------------------------------------------

    async def relay(
        self, target: ThreadTarget | CustomerTarget, messages: list[Outgoing]
    ) -> SendResult:
        if self._main is None:
            return await self._relay(target, messages)
        try:
            return await self._relay(target, messages)
        except NotAllowed as error:  # removed or demoted since it was checked
            self._refused(target.chat)
            raise TransientError(f"helper bot {self.voice} left out: {error.detail}") from None

    async def _relay(
        self, target: ThreadTarget | CustomerTarget, messages: list[Outgoing]
    ) -> SendResult:
        thread = _thread(target) if isinstance(target, ThreadTarget) else None
        sources = {self._source_chat(m) for m in messages}
        source = sources.pop() if len(sources) == 1 else None
        if source is not None and len(messages) > 1:
            ids = await self._in_topic(
                target,
                lambda: self._bot.copy_messages(
                    chat_id=int(target.chat),
                    from_chat_id=int(source),
                    message_ids=sorted(int(m.source_external_id or 0) for m in messages),
                    message_thread_id=thread,
                ),
            )
            return SendResult([str(i.message_id) for i in ids])
        result = SendResult()
        for message in messages:
            result.external_ids.append(await self._relay_one(target, thread, message))
        return result

    async def relay_together(
        self, target: ThreadTarget, messages: list[Outgoing], card: Card | None
    ) -> SendResult:
        """As few messages as fit in Telegram's 4096 characters: the card and the texts
        after it, each with its time; a text that fits nowhere goes as its own copy."""
        result = SendResult()
        head = card_html(card, self._translator, target.language) if card else None
        chunk: list[Outgoing] = []

        async def flush() -> None:
            nonlocal head
            if not chunk and head is None:
                return
            if len(chunk) == 1 and head is None:
                result.external_ids.append(await self._relay_one(target, _thread(target), chunk[0]))
            else:
                sent = await self._post_together(target, head, chunk, card if head else None)
                result.external_ids.extend([sent] * len(chunk))
                if head is not None:
                    result.card_id = sent
            head = None
            chunk.clear()

        for message in messages:
            if chunk or head is not None:
                parts = [part_html(m, self._zone) for m in [*chunk, message]]
                if shown_length(together_html(head, parts)) > MAX_TEXT:
                    await flush()
            chunk.append(message)
        await flush()
        return result

    async def _post_together(
        self, target: ThreadTarget, head: str | None, messages: list[Outgoing], card: Card | None
    ) -> str:
        text = together_html(head, [part_html(m, self._zone) for m in messages])
        sent = await self._in_topic(
            target,
            lambda: self._bot.send_message(
                chat_id=int(target.chat),
                message_thread_id=_thread(target),
                text=text,
                reply_markup=card_keyboard(card, self._translator, target.language)
                if card
                else None,
                parse_mode="HTML",
            ),
        )
        return str(sent.message_id)

    async def edit_together(
        self, target: ThreadTarget, external_id: str, messages: list[Outgoing], card: Card | None
    ) -> None:
        head = card_html(card, self._translator, target.language) if card else None
        text = together_html(head, [part_html(m, self._zone) for m in messages])
        if shown_length(text) > MAX_TEXT:  # an edit made it too long: each text keeps what fits
            room = max(1, (MAX_TEXT - len(head or "")) // len(messages) - 20)
            text = together_html(head, [escape((m.text or "")[:room]) for m in messages])
        await self._call(
            self._bot.edit_message_text(
                chat_id=int(target.chat),
                message_id=int(external_id),
                text=text,
                reply_markup=card_keyboard(card, self._translator, target.language)
                if card
                else None,
                parse_mode="HTML",
            ),
            None,
        )

    async def _relay_one(
        self, target: ThreadTarget | CustomerTarget, thread: int | None, message: Outgoing
    ) -> str:
        reply = (
            ReplyParameters(
                message_id=int(message.reply_to_external_id), allow_sending_without_reply=True
            )
            if message.reply_to_external_id
            else None
        )
        source = self._source_chat(message)
        if source is not None:
            sent = await self._in_topic(
                target,
                lambda: self._bot.copy_message(
                    chat_id=int(target.chat),
                    from_chat_id=int(source),
                    message_id=int(message.source_external_id or 0),
                    message_thread_id=thread,
                    reply_parameters=reply,
                ),
            )
            return str(sent.message_id)
        files = await self._fetch(message)
        if files:
            return await self._send_files(target, thread, message, files, reply)
        if not message.text and self._main is not None:  # a helper has nothing to send it by
            return await self._main._relay_one(target, thread, message)
        if not message.text:
            raise PermanentError(_("this kind of message cannot be forwarded"), message.kind)
        sent = await self._in_topic(
            target,
            lambda: self._bot.send_message(
                chat_id=int(target.chat),
                message_thread_id=thread,
                text=message.text or "",
                entities=_entities(message.content.get("entities")),
                reply_parameters=reply,
            ),
        )
        return str(sent.message_id)

    async def _send_files(
        self,
        target: ThreadTarget | CustomerTarget,
        thread: int | None,
        message: Outgoing,
        files: list[FileData],
        reply: ReplyParameters | None,
    ) -> str:
        """Files from another messenger, or a Telegram message a helper bot sends again: uploaded
        one by one, the text as the first caption; a Telegram kind keeps its kind."""
        first: str | None = None
        for index, file in enumerate(files):
            upload = BufferedInputFile(file.data, filename=file.name)
            telegram = message.kind in _UPLOADS and message.kind in message.content
            kind = message.kind if telegram else None
            photo = file.mime.startswith("image/") and len(file.data) <= MAX_PHOTO_BYTES
            kind = kind or ("photo" if photo else "document")
            send = getattr(self._bot, f"send_{kind}")
            fields: dict[str, Any] = {
                "chat_id": int(target.chat),
                "message_thread_id": thread,
                "reply_parameters": reply if index == 0 else None,
                kind: upload,
            }
            if kind not in _UNCAPTIONED and index == 0 and message.text:
                fields["caption"] = message.text
                fields["caption_entities"] = _entities(message.content.get("caption_entities"))
            try:
                sent = await self._in_topic(target, lambda send=send, fields=fields: send(**fields))
            except PhotoRefused:
                if telegram:
                    raise
                # An image Telegram does not show as a photo (too long, too large): a file.
                fields["document"] = fields.pop("photo")
                send = self._bot.send_document
                sent = await self._in_topic(target, lambda send=send, fields=fields: send(**fields))
            first = first or str(sent.message_id)
        assert first is not None
        return first

    async def delete(self, target: ThreadTarget | CustomerTarget, external_id: str) -> None:
        """Telegram lets a bot delete its messages for 48 hours; past that the error is said
        in the thread like any failed delivery."""
        await self._call(
            self._bot.delete_message(chat_id=int(target.chat), message_id=int(external_id)), None
        )

    async def edit(
        self, target: ThreadTarget | CustomerTarget, external_id: str, message: Outgoing
    ) -> None:
        """Only the bot that posted a message may edit it, and which one did is not stored:
        when Telegram says this bot did not, each helper of the chat tries in turn."""
        try:
            await self._edit(target, external_id, message)
        except NotTheAuthor:
            for helper in self.helpers(target.chat).values():
                with contextlib.suppress(NotTheAuthor):
                    await helper._edit(target, external_id, message)
                    return
            raise

    async def _edit(
        self, target: ThreadTarget | CustomerTarget, external_id: str, message: Outgoing
    ) -> None:
        chat_id, message_id = int(target.chat), int(external_id)
        content = message.content
        if message.kind == "text":
            await self._call(
                self._bot.edit_message_text(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=message.text or "",
                    entities=_entities(content.get("entities")),
                ),
                None,
            )
            return
        media_class = _INPUT_MEDIA.get(message.kind)
        if media_class is not None and self._main is None:  # file ids are the main bot's
            file = content[message.kind]
            file_id = file[-1]["file_id"] if isinstance(file, list) else file["file_id"]
            media = media_class(
                media=file_id,
                caption=message.text,
                caption_entities=_entities(content.get("caption_entities")),
            )
            await self._call(
                self._bot.edit_message_media(chat_id=chat_id, message_id=message_id, media=media),
                None,
            )
            return
        if message.kind in ("voice",) or media_class is not None:
            await self._call(
                self._bot.edit_message_caption(
                    chat_id=chat_id,
                    message_id=message_id,
                    caption=message.text,
                    caption_entities=_entities(content.get("caption_entities")),
                ),
                None,
            )

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


def _thread(target: ThreadTarget) -> int | None:
    return int(target.thread_id) if target.thread_id else None


def _entities(raw: list[dict[str, Any]] | None) -> list[MessageEntity] | None:
    return [MessageEntity.model_validate(e) for e in raw] if raw else None
