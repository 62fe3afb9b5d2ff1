"""Deliveries: the outbox's outbound API calls."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from storage.models.conversations import Conversation, Message


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class DeliveryKind(StrEnum):
    """What a delivery does, stored in `Delivery.op`."""

    RELAY = "relay"  # stored messages copied to the other side (an album in one call)
    EDIT = "edit"  # a stored message was edited: edit its copy
    DELETE = "delete"  # an operator's answer was deleted: delete its copy at the customer's
    NOTICE = "notice"  # words from the desk: a Text
    CARD_SHOW = "card.show"  # a card with buttons as a new message (a choice to make)
    CARD_POST = "card.post"  # the conversation's header card in a thread it comes back to
    STATE = "state"  # the thread's title and header card brought up to date
    ASK = "ask"  # a question with buttons for the customer, in words where it has none
    CONFIRM = "confirm"  # a reaction on the operator's message: delivered or not
    WEBHOOK = "webhook"  # a conversation event POSTed to an API entry point's webhook


class Delivery(Model):
    """One outbound API call waiting in the outbox."""

    id = fields.BigIntField(primary_key=True)
    target = fields.CharField(max_length=64, db_index=True)
    # A DeliveryKind, kept a plain CharField: a kind this version does not know (written by a
    # newer one) must reach the worker, which marks it dead, not fail the query that reads it.
    op = fields.CharField(max_length=32)
    payload = fields.JSONField(default=dict)
    group_key = fields.CharField(max_length=160, null=True)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="deliveries", null=True
    )
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="deliveries", null=True
    )
    status = fields.CharEnumField(DeliveryStatus, default=DeliveryStatus.PENDING, db_index=True)
    attempts = fields.IntField(default=0)
    not_before = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "delivery"
