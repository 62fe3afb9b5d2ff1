"""The customer is typing: `sendChatAction` into the conversation's topic. Not a message, so
no group budget is spent; refused or failed ones are logged and dropped (the core asks
again at the next keystrokes)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError

from bot.base.redact import Redactor

log = logging.getLogger(__name__)


class TelegramTyping:
    def __init__(self, bot: Bot, redactor: Redactor) -> None:
        self._bot = bot
        self._redactor = redactor

    async def typing(self, chat: str, thread_id: str) -> bool:
        try:
            await self._bot.send_chat_action(
                chat_id=int(chat), action=ChatAction.TYPING, message_thread_id=int(thread_id)
            )
        except TelegramAPIError as error:
            log.info(
                "Typing not shown in topic %s of %s: %s",
                thread_id,
                chat,
                self._redactor.redact(str(error)),
            )
            return False
        return True
