"""Writing deliveries. Call inside the transaction that stores what they deliver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from bot.base.cards import Card, card_payload
from bot.base.clock import Clock
from bot.base.i18n import Text
from bot.base.text_codec import text_payload
from bot.outbox.shares import AllMine, Shares
from storage.models import (
    Conversation,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Message,
    Thread,
)
from storage.prepared import Prepared, padded


class TargetKind(StrEnum):
    """Where a delivery goes: the first part of `Delivery.target` ("thread:12")."""

    THREAD = "thread"  # a conversation's thread in its workspace
    CUSTOMER = "customer"  # a customer's identity in its channel
    CONFIRM = "confirm"  # reactions in a line's workspace chat
    LINE = "line"  # a line's workspace chat outside any thread
    HEADER = "header"  # a thread's title and card, refreshed apart from its messages
    WEBHOOK = "webhook"  # an API entry point's webhook: conversation events, in order
    RULE = "rule"  # a rule's webhook: its calls, in order


def thread_target(thread_id: int) -> str:
    return f"{TargetKind.THREAD}:{thread_id}"


def header_target(thread_id: int) -> str:
    return f"{TargetKind.HEADER}:{thread_id}"


def customer_target(conversation: Conversation) -> str:
    return f"{TargetKind.CUSTOMER}:{conversation.identity_id}"  # type: ignore[attr-defined]


def webhook_target(entry_point_id: int) -> str:
    return f"{TargetKind.WEBHOOK}:{entry_point_id}"


def rule_target(rule_id: int) -> str:
    return f"{TargetKind.RULE}:{rule_id}"


def confirm_target(line_id: int) -> str:
    """Reactions have a queue of their own: they add no message, so they need not wait
    behind the group's message budget."""
    return f"{TargetKind.CONFIRM}:{line_id}"


def line_target(line_id: int) -> str:
    return f"{TargetKind.LINE}:{line_id}"


def parse_target(target: str) -> tuple[TargetKind, int]:
    """Raises ValueError for a target this version cannot read."""
    kind, _, ident = target.partition(":")
    return TargetKind(kind), int(ident)


# The relays held back in new customers' threads while their first texts wait for the lines
# typed after them: pushed back for each line, and which wait still (`storage.prepared`).
def _waiting_relays(targets: list[str], conversation_ids: list[int], now: datetime) -> Any:
    return Delivery.filter(
        target__in=targets,
        conversation_id__in=conversation_ids,
        op=DeliveryKind.RELAY.value,
        status=DeliveryStatus.PENDING,
        claimed_until__isnull=True,
        not_before__gt=now,
    )


_HOLD_RELAYS: Prepared[int] = Prepared(
    Delivery,
    lambda targets, conversation_ids, now, until: _waiting_relays(
        targets, conversation_ids, now
    ).update(not_before=until),
)
_HELD_RELAYS: Prepared[list[int]] = Prepared(
    Delivery,
    lambda targets, conversation_ids, now: (
        _waiting_relays(targets, conversation_ids, now)
        .distinct()
        .values_list("conversation_id", flat=True)
    ),
)


# The deliveries of an `Outbox.together` block, gathered to be written at its end.
_GATHERED: ContextVar[list[Delivery] | None] = ContextVar("gathered_deliveries", default=None)


class Receipt(NamedTuple):
    """A 👍 (delivered) or 👎 on an operator's message `external_id` in a line's `chat`."""

    line_id: int
    chat: str
    external_id: str
    delivered: bool


class Outbox:
    """Creates deliveries; the worker is woken after the transaction commits."""

    def __init__(self, clock: Clock, shares: Shares | None = None) -> None:
        self._clock = clock
        self._shares: Shares = shares or AllMine()

    def _now(self, delay: float = 0.0) -> datetime:
        return self._clock.now() + timedelta(seconds=delay)

    async def _add(self, target: str, kind: DeliveryKind, **kwargs: Any) -> Delivery:
        delivery = self._row(target, kind, **kwargs)
        gathered = _GATHERED.get()
        if gathered is not None:
            gathered.append(delivery)
        else:
            await delivery.save()
        return delivery

    @asynccontextmanager
    async def together(self) -> AsyncIterator[None]:
        """The deliveries queued inside are written in one statement as the block ends, in
        the order they were queued (an operator's answer and its title refresh). They have
        no id inside it."""
        gathered: list[Delivery] = []
        token = _GATHERED.set(gathered)
        try:
            yield
        finally:
            _GATHERED.reset(token)
        if gathered:
            await Delivery.bulk_create(gathered)

    def _row(
        self,
        target: str,
        kind: DeliveryKind,
        *,
        conversation: Conversation | None = None,
        message: Message | None = None,
        payload: dict[str, Any] | None = None,
        group_key: str | None = None,
        delay: float = 0.0,
    ) -> Delivery:
        """The delivery, not saved yet (the instances sharing the outbox are told of it)."""
        self._shares.queued(target)
        return Delivery(
            target=target,
            op=kind.value,
            payload=payload or {},
            conversation=conversation,
            message=message,
            group_key=group_key,
            not_before=self._now(delay),
        )

    async def to_thread(
        self, thread: Thread, kind: DeliveryKind, conversation: Conversation, **kwargs: Any
    ) -> Delivery:
        return await self._add(thread_target(thread.id), kind, conversation=conversation, **kwargs)

    async def to_current_thread(
        self, kind: DeliveryKind, conversation: Conversation, **kwargs: Any
    ) -> Delivery:
        """Into the thread `conversation` is in now."""
        return await self._add(
            thread_target(conversation.thread_id),  # type: ignore[attr-defined]
            kind,
            conversation=conversation,
            **kwargs,
        )

    async def hold_waiting_relays(
        self, conversations: list[Conversation], delay: float
    ) -> set[int]:
        """Push back the relays of `conversations` that still wait in their threads' queues
        (a new conversation's first message gathering the texts typed after it) to `delay`
        seconds from now; the ids of the conversations whose relays wait still (for the
        others, one was taken up, or sent)."""
        now, until = self._now(), self._now(delay)
        threads = {c.thread_id for c in conversations}  # type: ignore[attr-defined]
        targets = padded(sorted(thread_target(thread) for thread in threads))
        ids = padded(sorted({c.id for c in conversations}))
        if await _HOLD_RELAYS(targets, ids, now, until) >= len(set(ids)):
            return set(ids)  # as many held as conversations: each has its first text waiting
        return set(await _HELD_RELAYS(targets, ids, until - timedelta(microseconds=1)))

    async def refresh(self, conversation: Conversation, **kwargs: Any) -> Delivery:
        """Bring the conversation's thread title and header card up to date."""
        return await self.refresh_thread(
            conversation.thread_id,  # type: ignore[attr-defined]
            conversation,
            **kwargs,
        )

    async def refresh_thread(
        self, thread_id: int, conversation: Conversation, **kwargs: Any
    ) -> Delivery:
        """Bring `thread_id`'s title and `conversation`'s card there up to date; it goes
        apart from the thread's messages, and a later refresh supersedes it."""
        return await self._add(
            header_target(thread_id), DeliveryKind.STATE, conversation=conversation, **kwargs
        )

    async def notice_conversation(self, conversation: Conversation, text: Text) -> Delivery:
        """Words in the conversation's current thread."""
        return await self._add(
            thread_target(conversation.thread_id),  # type: ignore[attr-defined]
            DeliveryKind.NOTICE,
            conversation=conversation,
            payload=text_payload(text),
        )

    async def to_customer(
        self, conversation: Conversation, kind: DeliveryKind, **kwargs: Any
    ) -> Delivery:
        return await self._add(
            customer_target(conversation), kind, conversation=conversation, **kwargs
        )

    async def notice_thread(
        self, thread: Thread, conversation: Conversation, text: Text
    ) -> Delivery:
        return await self.to_thread(
            thread, DeliveryKind.NOTICE, conversation, payload=text_payload(text)
        )

    async def notice_customer(self, conversation: Conversation, text: Text) -> Delivery:
        return await self.to_customer(conversation, DeliveryKind.NOTICE, payload=text_payload(text))

    async def notice_line(self, line_id: int, text: Text) -> Delivery:
        """Words for the line's chat outside any conversation thread (its general topic)."""
        return await self._add(
            line_target(line_id), DeliveryKind.NOTICE, payload=text_payload(text)
        )

    async def card_thread(self, thread: Thread, conversation: Conversation, card: Card) -> Delivery:
        """A card with buttons (a choice to make) as a new message of the thread."""
        return await self.to_thread(
            thread, DeliveryKind.CARD_SHOW, conversation, payload=card_payload(card)
        )

    async def card_line(self, line_id: int, card: Card) -> Delivery:
        return await self._add(
            line_target(line_id), DeliveryKind.CARD_SHOW, payload=card_payload(card)
        )

    async def ask_customer(
        self, conversation: Conversation, card: Card, fallback: Text
    ) -> Delivery:
        """A question with buttons; `fallback` asks in words where the channel has none."""
        return await self.to_customer(
            conversation,
            DeliveryKind.ASK,
            payload={"card": card_payload(card), "fallback": text_payload(fallback)},
        )

    async def to_webhook(
        self, entry_point_id: int, event: dict[str, Any], conversation: Conversation | None
    ) -> Delivery:
        """A conversation event for the webhook of an API entry point; it is signed when it
        is sent, with the secret of that time."""
        return await self._add(
            webhook_target(entry_point_id),
            DeliveryKind.WEBHOOK,
            conversation=conversation,
            payload={"event": event},
        )

    async def to_rule_webhook(
        self, rule_id: int, url: str, event: dict[str, Any], conversation: Conversation
    ) -> Delivery:
        """A rule's webhook call; signed when it is sent, with the rule's secret of that time."""
        return await self._add(
            rule_target(rule_id),
            DeliveryKind.WEBHOOK,
            conversation=conversation,
            payload={"url": url, "event": event},
        )

    async def confirm(self, line_id: int, chat: str, external_id: str, delivered: bool) -> Delivery:
        receipt = self.receipt(Receipt(line_id, chat, external_id, delivered))
        await receipt.save()
        return receipt

    def receipt(self, receipt: Receipt) -> Delivery:
        """The delivery (unsaved) that shows an operator whether their answer went."""
        payload = {"chat": receipt.chat, "external_id": receipt.external_id}
        payload["delivered"] = receipt.delivered
        return self._row(confirm_target(receipt.line_id), DeliveryKind.CONFIRM, payload=payload)
