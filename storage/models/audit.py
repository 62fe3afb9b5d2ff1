"""The audit trail."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.conversations import Conversation
from storage.models.operators import Operator


class AuditEntry(Model):
    """Who changed what and when: assignee, status, line, topic, contact and line settings."""

    id = fields.BigIntField(primary_key=True)
    action = fields.CharField(max_length=32, db_index=True)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="audit", null=True, db_index=True
    )
    # The operator the entry is about (a status change), when it is about one.
    operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="audit_about", null=True
    )
    actor: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="audit_done", null=True
    )
    actor_name = fields.CharField(max_length=128)  # "Olga", "system", "cli"
    old_value = fields.CharField(max_length=256, null=True)
    new_value = fields.CharField(max_length=256, null=True)
    details = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_entry"
        # A report reads the assignments and statuses of each of its conversations.
        indexes = (("conversation", "action"),)
