"""Texts shown as one message where a group's budget is scarce: the card and the texts
after it, each with its time, in as few messages as fit."""

from __future__ import annotations

from html import escape

from bot.base.cards import Card
from bot.base.ports import Outgoing, SendResult, ThreadTarget
from bridges.telegram.relaying import Relaying
from bridges.telegram.render import (
    MAX_TEXT,
    card_html,
    card_keyboard,
    part_html,
    shown_length,
    together_html,
)
from bridges.telegram.sender_base import message_thread_id


class MergedTexts(Relaying):
    """Relaying that gathers texts into one message; a text that fits nowhere is relayed
    alone."""

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
                result.external_ids.append(
                    await self._relay_one(target, message_thread_id(target), chunk[0])
                )
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
                message_thread_id=message_thread_id(target),
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
