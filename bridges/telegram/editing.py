"""Edits and deletions of messages the desk already sent."""

from __future__ import annotations

import contextlib

from aiogram.types import (
    InputMediaAnimation,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
)

from bot.base.ports import CustomerTarget, Outgoing, ThreadTarget
from bridges.telegram.errors import NotTheAuthor
from bridges.telegram.sender_base import SenderBase, message_entities

_INPUT_MEDIA = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "animation": InputMediaAnimation,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}


class Editing(SenderBase):
    """Changes to sent copies: edits (by whichever bot posted the copy) and deletions."""

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
                    entities=message_entities(content.get("entities")),
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
                caption_entities=message_entities(content.get("caption_entities")),
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
                    caption_entities=message_entities(content.get("caption_entities")),
                ),
                None,
            )
