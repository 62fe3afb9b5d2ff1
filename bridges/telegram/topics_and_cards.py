"""The operators' side of the Telegram sender: forum topics, cards with buttons, the desk's
notices, and the reaction that tells an operator whether an answer was delivered."""

from __future__ import annotations

from aiogram.types import ReactionTypeEmoji

from bot.base.cards import Card
from bot.base.i18n import Text
from bot.base.ports import CustomerTarget, OpenedThread, ThreadTarget
from bridges.telegram.render import card_html, card_keyboard, notice_html
from bridges.telegram.sender_base import SenderBase, message_thread_id

DELIVERED = "👍"
NOT_DELIVERED = "👎"


class TopicsAndCards(SenderBase):
    """Topics, cards, notices and reactions; none of it is a customer's message."""

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
                message_thread_id=message_thread_id(target),
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
        thread = message_thread_id(target) if isinstance(target, ThreadTarget) else None
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
