"""The rating a customer gives a closed conversation (1–5) and the comment that may follow."""

from __future__ import annotations

from datetime import timedelta

from bot.base.bounds import number_in
from bot.base.cards import Button, Card
from bot.base.clock import Clock
from bot.base.i18n import Text, _
from bot.outbox.queue import Outbox
from storage.models import Contact, Conversation, ConversationStatus
from storage.prepared import Prepared

SCORES = range(1, 6)
RATING_WINDOW = timedelta(days=1)  # a bare "4" later than this is a new question, not a score
COMMENT_WINDOW = timedelta(minutes=15)


def stars(score: int) -> str:
    return "★" * score + "☆" * (5 - score) + f" {score}/5"


async def ask(outbox: Outbox, clock: Clock, conversation: Conversation) -> None:
    """Buttons where the channel has them, a number reply everywhere."""
    conversation.csat_asked_at = clock.now()
    await conversation.save(update_fields=["csat_asked_at"])
    question = Text(
        _("How would you rate our help with request #{number}?"), number=conversation.number
    )
    card = Card(
        title=question,
        buttons=[
            Button(Text(_("{score} ★"), score=score), "csat", conversation.id, str(score))
            for score in SCORES
        ],
        row_width=5,
    )
    fallback = Text(
        _(
            "How would you rate our help with request #{number}? Reply with a number from 1 (bad) to 5 (excellent)."  # noqa: E501
        ),
        number=conversation.number,
    )
    await outbox.ask_customer(conversation, card, fallback)


async def rate(outbox: Outbox, clock: Clock, conversation: Conversation, score: int) -> bool:
    """False when this conversation was not asked, or was rated already."""
    if score not in SCORES or conversation.csat_asked_at is None or conversation.csat_score:
        return False
    conversation.csat_score = score
    conversation.csat_rated_at = clock.now()
    await conversation.save(update_fields=["csat_score", "csat_rated_at"])
    await outbox.notice_conversation(
        conversation,
        Text(
            _("The customer rated conversation #{number}: {stars}"),
            number=conversation.number,
            stars=stars(score),
        ),
    )
    await outbox.refresh(conversation)
    await outbox.notice_customer(
        conversation,
        Text(_("Thank you for the rating! If you want to add a comment, just write it now.")),
    )
    return True


# Read for every customer message that opens no conversation yet (`storage.prepared`).
_LAST_ASKED: Prepared[Conversation | None] = Prepared(
    Conversation,
    lambda contact_id: (
        Conversation.filter(contact_id=contact_id, status=ConversationStatus.CLOSED)
        .exclude(csat_asked_at=None)
        .order_by("-closed_at")
        .first()
    ),
)


async def awaiting(contact: Contact, clock: Clock) -> tuple[Conversation, str] | None:
    """The closed conversation a customer's next words may belong to: ("score", c) when it
    waits for a number, ("comment", c) right after a rating."""
    last = await _LAST_ASKED(contact.id)
    if last is None or last.csat_asked_at is None:
        return None
    now = clock.now()
    if last.csat_score is None and now - last.csat_asked_at < RATING_WINDOW:
        return last, "score"
    if (
        last.csat_comment is None
        and last.csat_rated_at is not None
        and now - last.csat_rated_at < COMMENT_WINDOW
    ):
        return last, "comment"
    return None


async def comment(outbox: Outbox, conversation: Conversation, text: str) -> None:
    conversation.csat_comment = text
    await conversation.save(update_fields=["csat_comment"])
    await outbox.notice_conversation(
        conversation,
        Text(
            _("The customer's comment on conversation #{number}: {comment}"),
            number=conversation.number,
            comment=text,
        ),
    )
    await outbox.notice_customer(conversation, Text(_("Thank you for your feedback!")))


def as_score(text: str | None) -> int | None:
    return number_in(text or "", min(SCORES), max(SCORES))
