"""Conversations, the threads they live in, their messages and each message's copies."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from storage.models.contacts import Contact, Identity
from storage.models.entry_points import EntryPoint
from storage.models.lines import Line
from storage.models.operators import Operator


class ConversationStatus(StrEnum):
    QUEUED = "queued"
    OPEN = "open"
    SNOOZED = "snoozed"
    CLOSED = "closed"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    NOTE = "note"
    SYSTEM = "system"


class Thread(Model):
    """The topic or Slack thread of one contact in one line's workspace."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="threads"
    )
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="threads"
    )
    workspace_kind = fields.CharField(max_length=16)
    workspace_chat = fields.CharField(max_length=64)
    external_id = fields.CharField(max_length=64, null=True)
    title = fields.CharField(max_length=128, default="")
    # The thread exists but its header card is not posted yet (a Telegram topic between its
    # creation and its card, or a card that failed): the next send posts the card first.
    card_owed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "thread"
        unique_together = (("contact", "line"),)


class Conversation(Model):
    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="conversations", db_index=True
    )
    identity: fields.ForeignKeyRelation[Identity] = fields.ForeignKeyField(
        "models.Identity", related_name="conversations"
    )
    entry_point: fields.ForeignKeyRelation[EntryPoint] = fields.ForeignKeyField(
        "models.EntryPoint", related_name="conversations"
    )
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="conversations"
    )
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="conversations", db_index=True
    )
    assignee: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="conversations", null=True, db_index=True
    )
    status = fields.CharEnumField(ConversationStatus, default=ConversationStatus.QUEUED)
    # Equal to contact_id while the conversation is not closed: the unique index is what
    # keeps two racing first messages from opening two conversations.
    open_key = fields.IntField(null=True, unique=True)
    card_message_id = fields.CharField(max_length=64, null=True)
    topic = fields.CharField(max_length=128, null=True)
    result = fields.CharField(max_length=256, null=True)
    comment = fields.TextField(null=True)
    # A /close waiting for its topic or result buttons: {"result": ..., "comment": ...}.
    closing = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)  # reports by period
    queued_at = fields.DatetimeField(null=True)  # when it last started waiting in the queue
    first_response_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    snoozed_until = fields.DatetimeField(null=True)
    last_customer_message_at = fields.DatetimeField(null=True)
    last_operator_message_at = fields.DatetimeField(null=True)
    out_of_hours_sent_at = fields.DatetimeField(null=True)
    csat_asked_at = fields.DatetimeField(null=True)
    csat_score = fields.IntField(null=True)
    csat_rated_at = fields.DatetimeField(null=True)
    csat_comment = fields.TextField(null=True)

    class Meta:
        table = "conversation"

    @property
    def number(self) -> int:
        return self.id


class Message(Model):
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", db_index=True
    )
    direction = fields.CharEnumField(Direction)
    author_operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="messages", null=True
    )
    kind = fields.CharField(max_length=16, default="text")
    text = fields.TextField(null=True)
    content = fields.JSONField(default=dict)
    # Where the message came from ("telegram:<bot>:<chat>:<message>"): a second copy of the
    # same update hits this unique key and is dropped.
    source_key = fields.CharField(max_length=160, null=True, unique=True)
    album_key = fields.CharField(max_length=160, null=True)
    reply_to: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="replies", null=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"


class MessageLink(Model):
    """One copy of a message on one side; the one table that makes edits and replies work."""

    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="links", db_index=True
    )
    chat = fields.CharField(max_length=64)
    external_id = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message_link"
        unique_together = (("chat", "external_id"),)
