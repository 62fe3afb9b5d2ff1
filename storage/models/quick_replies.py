"""Quick replies: canned answers."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.lines import Line
from storage.models.operators import Operator


class QuickReply(Model):
    """A canned answer: `/q name` sends it. Scope: global, one line's, or one operator's."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    scope = fields.CharField(max_length=8, default="global")  # global | line | personal
    line: fields.ForeignKeyNullableRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="quick_replies", null=True
    )
    operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="quick_replies", null=True
    )
    texts = fields.JSONField(default=dict)  # {"en": "...", "ru": "...", "uk": "..."}
    usage_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "quick_reply"
