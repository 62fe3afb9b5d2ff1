"""Sending deliveries with aiogram: into forum topics and to customers' private chats.

One class the outbox calls, put together from one part per job: `sender_base` (the bot,
pacing, reopening closed topics), `topics_and_cards`, `relaying` (copies, files, texts),
`merged_texts` and `editing`."""

from __future__ import annotations

from bridges.telegram.editing import Editing
from bridges.telegram.merged_texts import MergedTexts
from bridges.telegram.topics_and_cards import TopicsAndCards


class TelegramSender(TopicsAndCards, MergedTexts, Editing):
    """Both faces of one bot: the operators' forum and the customers' private chats."""

    kind = "telegram"
    channel = "telegram"
    card_opens_thread = False
