"""Answering a button press: the toast is a courtesy, so a late or unknown query id (Telegram:
"query is too old ... or query ID is invalid") is logged, not raised into a 500 after the
press was already acted on."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery

log = logging.getLogger(__name__)


async def answer_press(query: CallbackQuery, text: str, *, show_alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=show_alert)
    except TelegramBadRequest as error:
        log.info("Could not answer button press %s: %s", query.id, error.message)
