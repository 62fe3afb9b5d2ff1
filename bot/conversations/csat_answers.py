"""A customer's answer to the rating question: a number typed after it, a comment typed right
after the rating, or a rating button. Each belongs to the closed conversation, not to a new
one."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.base.clock import Clock
from bot.base.events import InboundMessage
from bot.base.log_context import conversation_is
from bot.conversations import csat
from bot.conversations.message_links import record_from_customer
from bot.outbox.queue import Outbox
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    EntryPoint,
    Identity,
    Message,
)


async def typed_answer(
    outbox: Outbox, clock: Clock, contact: Contact, inbound: InboundMessage, entry_point: EntryPoint
) -> tuple[Message, Conversation] | None:
    """The stored answer and its conversation; None when `inbound` answers no question (it
    starts a new conversation)."""
    pending = await csat.awaiting(contact, clock)
    if pending is None:
        return None
    conversation, wanted = pending
    text = inbound.body.text
    score = csat.as_score(text) if wanted == "score" else None
    comment = text if wanted == "comment" and inbound.body.kind == "text" else None
    if score is None and not comment:
        return None
    conversation_is(conversation.id)
    message = await record_from_customer(conversation, inbound)
    if score is not None:
        await csat.rate(outbox, clock, conversation, score)
    elif comment:
        await csat.comment(outbox, conversation, comment)
    return message, conversation


async def pressed_rating(
    outbox: Outbox, clock: Clock, channel: str, customer_id: str, conversation_id: int, score: int
) -> bool:
    """False when the conversation is not the customer's to rate, or was rated already."""
    identity = await Identity.get_or_none(channel=channel, external_id=customer_id)
    if identity is None:
        return False
    conversation = await Conversation.get_or_none(
        id=conversation_id,
        contact_id=identity.contact_id,  # type: ignore[attr-defined]
        status=ConversationStatus.CLOSED,
    )
    if conversation is None:
        return False
    async with in_transaction():
        return await csat.rate(outbox, clock, conversation, score)
