"""When a customer asks, the team sees up to three answers that match, as a card whose
buttons send one (`/q` pressed: bot/commands/quick).

Kept off the customer's path: it runs after the customer's message is stored and queued,
its failure is only logged, and it stays quiet where a card would cost what the customer's
messages need — on a line that has it off, for the second text of a burst (one card per
stretch of customer texts that no operator has answered yet), and while other messages wait
to go into threads (the group's budget is spent elsewhere)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from bot.base.cards import Button, Card
from bot.base.clock import Clock
from bot.base.i18n import Text, _, verbatim
from bot.outbox.queue import Outbox, TargetKind
from bot.suggestions import corpus
from bot.suggestions.index import REPLY, AnswerIndex, Found
from bot.suggestions.words import language_of
from storage.models import (
    Conversation,
    ConversationStatus,
    Delivery,
    DeliveryStatus,
    Line,
    Operator,
    QuickReply,
)

log = logging.getLogger(__name__)

LIMIT = 3
ANSWER_BUTTON = "a"  # `/q` pressed with `a<message id>`: an earlier answer, not a quick reply
BACKLOG = 3  # more deliveries than this waiting for threads: the budget is short, no card
REMEMBERED = 10_000  # conversations whose last card is remembered (one card per stretch)
EXCERPT = 160
LABEL = 40


class Suggestions:
    def __init__(
        self,
        *,
        outbox: Outbox,
        clock: Clock,
        default_language: Callable[[], str],
        refresh_seconds: float,
    ) -> None:
        self._outbox = outbox
        self._clock = clock
        self._default_language = default_language
        self._refresh_seconds = refresh_seconds
        self._index = AnswerIndex(())
        self._lines: frozenset[int] | None = None  # lines that show suggestions
        self._replies_seen: tuple[int, object] | None = None
        self._read_at = float("-inf")
        self._offered: OrderedDict[int, datetime | None] = OrderedDict()
        self._refreshing = asyncio.Lock()

    @property
    def size(self) -> int:
        return self._index.size

    async def refresh(self) -> None:
        """Read the lines that show suggestions and, if any does, build the index again."""
        self._read_at = self._clock.monotonic()
        self._lines = frozenset(await Line.filter(suggestions=True).values_list("id", flat=True))
        self._replies_seen = await _replies_version()
        self._index = (
            AnswerIndex(await corpus.entries(self._default_language()))
            if self._lines
            else AnswerIndex(())
        )
        log.info("Suggested answers: %s texts indexed", self._index.size)

    async def after_customer_text(self, conversation: Conversation, text: str) -> None:
        """Offer answers to `text`, just stored; never raises (the message is safe already)."""
        try:
            await self._offer(conversation, text)
        except Exception:
            log.exception("Suggested answers failed for conversation #%s", conversation.id)

    async def _offer(self, conversation: Conversation, text: str) -> None:
        if not text.strip() or conversation.status == ConversationStatus.CLOSED:
            return
        if self._stale():
            async with self._refreshing:  # texts arriving together read the lines once
                if self._stale():
                    await self.refresh()
        line_id: int = conversation.line_id  # type: ignore[attr-defined]
        if self._lines is None or line_id not in self._lines:
            return
        answered_at = conversation.last_operator_message_at
        if conversation.id in self._offered and self._offered[conversation.id] == answered_at:
            return  # a card is there for this stretch of unanswered texts
        if await _replies_version() != self._replies_seen:
            await self.refresh()  # a quick reply changed: offer what is there now
        found = await self.suggest(conversation, text)
        if not found or await self._busy():
            return
        self._remember(conversation.id, answered_at)
        assignee = await Operator.get_or_none(id=conversation.assignee_id)  # type: ignore[attr-defined]
        thread = await conversation.thread
        only_for = assignee.slack_user_id if assignee and thread.workspace_kind == "slack" else None
        await self._outbox.card_thread(thread, conversation, card(conversation, found, only_for))

    def _stale(self) -> bool:
        age = self._clock.monotonic() - self._read_at
        return self._lines is None or age >= self._refresh_seconds

    async def suggest(self, conversation: Conversation, text: str) -> list[Found]:
        identity = await conversation.identity
        fallback = identity.language or self._default_language()
        return self._index.search(
            text,
            language_of(text, fallback if fallback in ("en", "ru", "uk") else "en"),
            line_id=conversation.line_id,  # type: ignore[attr-defined]
            operator_id=conversation.assignee_id,  # type: ignore[attr-defined]
            limit=LIMIT,
        )

    def _remember(self, conversation_id: int, answered_at: datetime | None) -> None:
        self._offered[conversation_id] = answered_at
        self._offered.move_to_end(conversation_id)
        while len(self._offered) > REMEMBERED:
            self._offered.popitem(last=False)

    async def _busy(self) -> bool:
        waiting = await (
            Delivery.filter(
                status=DeliveryStatus.PENDING, target__startswith=f"{TargetKind.THREAD}:"
            )
            .limit(BACKLOG + 1)
            .values_list("id", flat=True)
        )
        return len(waiting) > BACKLOG


async def _replies_version() -> tuple[int, object]:
    """Changes when a quick reply is added, changed or removed."""
    count = await QuickReply.all().count()
    last = (
        await QuickReply.all().order_by("-updated_at").first().values_list("updated_at", flat=True)
    )
    return count, last


def card(conversation: Conversation, found: list[Found], only_for: str | None) -> Card:
    """The suggestions with their texts, and a button to send each."""
    buttons, fields = [], []
    for number, item in enumerate(found, 1):
        entry = item.entry
        if entry.kind == REPLY:
            label = verbatim(entry.label)
            arg = str(entry.ref)
            what = Text(_("{number}. Quick reply «{name}»"), number=number, name=entry.label)
        else:
            label = verbatim(_shorten(entry.text, LABEL))
            arg = f"{ANSWER_BUTTON}{entry.ref}"
            what = Text(_("{number}. An earlier answer"), number=number)
        buttons.append(Button(label, "q", conversation.id, arg=arg))
        fields.append((what, _shorten(entry.text, EXCERPT)))
    title = Text(
        _("Suggested answers for #{number}: press one to send it"), number=conversation.number
    )
    return Card(title=title, fields=fields, buttons=buttons, row_width=1, only_for=only_for)


def _shorten(text: str, size: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"
