"""Writing deliveries. Call inside the transaction that stores what they deliver."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.base.cards import Card, card_payload
from bot.base.clock import Clock
from bot.base.i18n import Text
from bot.base.text_codec import text_payload
from storage.models import Conversation, Delivery, Message, Thread

THREAD = "thread"
CUSTOMER = "customer"
CONFIRM = "confirm"
LINE = "line"


def thread_target(thread_id: int) -> str:
    return f"{THREAD}:{thread_id}"


def customer_target(conversation: Conversation) -> str:
    return f"{CUSTOMER}:{conversation.identity_id}"  # type: ignore[attr-defined]


def confirm_target(line_id: int) -> str:
    """Reactions have a queue of their own: they add no message, so they need not wait
    behind the group's message budget."""
    return f"{CONFIRM}:{line_id}"


def line_target(line_id: int) -> str:
    return f"{LINE}:{line_id}"


def parse_target(target: str) -> tuple[str, int]:
    kind, _, ident = target.partition(":")
    return kind, int(ident)


class Outbox:
    """Creates deliveries; the worker is woken after the transaction commits."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def _now(self, delay: float = 0.0) -> datetime:
        return self._clock.now() + timedelta(seconds=delay)

    async def _add(
        self,
        target: str,
        op: str,
        *,
        conversation: Conversation | None = None,
        message: Message | None = None,
        payload: dict[str, Any] | None = None,
        group_key: str | None = None,
        delay: float = 0.0,
    ) -> Delivery:
        return await Delivery.create(
            target=target,
            op=op,
            payload=payload or {},
            conversation=conversation,
            message=message,
            group_key=group_key,
            not_before=self._now(delay),
        )

    async def to_thread(
        self, thread: Thread, op: str, conversation: Conversation, **kwargs: Any
    ) -> Delivery:
        return await self._add(thread_target(thread.id), op, conversation=conversation, **kwargs)

    async def refresh(self, conversation: Conversation, **kwargs: Any) -> Delivery:
        """Bring the conversation's thread title and header card up to date."""
        return await self._add(
            thread_target(conversation.thread_id),  # type: ignore[attr-defined]
            "state",
            conversation=conversation,
            **kwargs,
        )

    async def notice_conversation(self, conversation: Conversation, text: Text) -> Delivery:
        """Words in the conversation's current thread."""
        return await self._add(
            thread_target(conversation.thread_id),  # type: ignore[attr-defined]
            "notice",
            conversation=conversation,
            payload=text_payload(text),
        )

    async def to_customer(self, conversation: Conversation, op: str, **kwargs: Any) -> Delivery:
        return await self._add(
            customer_target(conversation), op, conversation=conversation, **kwargs
        )

    async def notice_thread(
        self, thread: Thread, conversation: Conversation, text: Text
    ) -> Delivery:
        return await self.to_thread(thread, "notice", conversation, payload=text_payload(text))

    async def notice_customer(self, conversation: Conversation, text: Text) -> Delivery:
        return await self.to_customer(conversation, "notice", payload=text_payload(text))

    async def notice_line(self, line_id: int, text: Text) -> Delivery:
        """Words for the line's chat outside any conversation thread (its general topic)."""
        return await self._add(line_target(line_id), "notice", payload=text_payload(text))

    async def card_thread(self, thread: Thread, conversation: Conversation, card: Card) -> Delivery:
        """A card with buttons (a choice to make) as a new message of the thread."""
        return await self.to_thread(thread, "card.show", conversation, payload=card_payload(card))

    async def card_line(self, line_id: int, card: Card) -> Delivery:
        return await self._add(line_target(line_id), "card.show", payload=card_payload(card))

    async def ask_customer(
        self, conversation: Conversation, card: Card, fallback: Text
    ) -> Delivery:
        """A question with buttons; `fallback` asks in words where the channel has none."""
        return await self.to_customer(
            conversation,
            "ask",
            payload={"card": card_payload(card), "fallback": text_payload(fallback)},
        )

    async def confirm(self, line_id: int, chat: str, external_id: str, delivered: bool) -> Delivery:
        return await self._add(
            confirm_target(line_id),
            "confirm",
            payload={"chat": chat, "external_id": external_id, "delivered": delivered},
        )
