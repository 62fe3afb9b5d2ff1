"""Relaying stored messages to the other side: a copy when the message came through this
same bot, otherwise its files uploaded or its text sent again."""

from __future__ import annotations

from typing import Any

from aiogram.types import BufferedInputFile, ReplyParameters

from bot.base.i18n import _
from bot.base.ports import (
    CustomerTarget,
    FileData,
    Outgoing,
    PermanentError,
    SendResult,
    ThreadTarget,
    TransientError,
)
from bridges.telegram.errors import NotAllowed, PhotoRefused
from bridges.telegram.sender_base import SenderBase, message_entities, message_thread_id

# Telegram kinds a bot uploads with a method of their own (`send_<kind>`, field `<kind>`).
_UPLOADS = frozenset(
    {"photo", "video", "animation", "audio", "voice", "video_note", "sticker", "document"}
)
_UNCAPTIONED = frozenset({"sticker", "video_note"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a larger image goes as a document (Bot API, sendPhoto)


class Relaying(SenderBase):
    """Messages of either side sent on: `relay`, and the one-by-one path merged texts fall
    back to."""

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
        thread = message_thread_id(target) if isinstance(target, ThreadTarget) else None
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
                entities=message_entities(message.content.get("entities")),
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
                fields["caption_entities"] = message_entities(
                    message.content.get("caption_entities")
                )
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
