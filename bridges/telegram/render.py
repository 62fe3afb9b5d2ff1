"""Cards and notices as Telegram HTML with inline keyboards."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.base.cards import Card
from bot.base.i18n import Text, Translator


def card_html(card: Card, translator: Translator, lang: str) -> str:
    lines = [f"<b>{translator.render(lang, card.title, escape)}</b>"]
    for label, value in card.fields:
        shown = translator.render(lang, value, escape) if isinstance(value, Text) else escape(value)
        lines.append(f"<b>{translator.render(lang, label, escape)}:</b> {shown}")
    return "\n".join(lines)


def card_keyboard(card: Card, translator: Translator, lang: str) -> InlineKeyboardMarkup | None:
    if not card.buttons:
        return None
    rows = [
        [
            InlineKeyboardButton(text=translator.render(lang, b.label), callback_data=b.data)
            for b in row
        ]
        for row in card.rows()
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def notice_html(text: Text, translator: Translator, lang: str) -> str:
    return f"<i>{translator.render(lang, text, escape)}</i>"
