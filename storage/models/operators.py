"""Operators, their working statuses, and the lines they are members of."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from storage.models.lines import Line


class OperatorStatus(StrEnum):
    """1C-Connect's working statuses: who gets new conversations and who is left alone."""

    FREE = "free"
    AWAY = "away"  # also set automatically after the idle time
    BUSY = "busy"  # keeps the open conversations, gets no new ones
    DND = "dnd"  # nothing: open conversations go back to the queue when the customer writes


class Operator(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128)
    telegram_user_id = fields.BigIntField(null=True, unique=True)
    telegram_username = fields.CharField(max_length=64, null=True)
    slack_user_id = fields.CharField(max_length=32, null=True, unique=True)
    role = fields.CharField(max_length=16, default="operator")
    status = fields.CharField(max_length=8, default=OperatorStatus.FREE.value)  # OperatorStatus
    capacity = fields.IntField(default=5)
    language = fields.CharField(max_length=8, null=True)
    last_seen_at = fields.DatetimeField(null=True)
    away_auto = fields.BooleanField(default=False)  # "away" set by idleness, not by hand
    status_changed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "operator"


class LineMember(Model):
    id = fields.IntField(primary_key=True)
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="members"
    )
    operator: fields.ForeignKeyRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="lines"
    )

    class Meta:
        table = "line_member"
        unique_together = (("line", "operator"),)
