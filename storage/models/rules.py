"""The desk's rules."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class RuleKind(StrEnum):
    INCOMING = "incoming"  # a new conversation, a customer's message
    CHANGED = "changed"  # status, assignee, line or topic changed; an operator wrote


class Rule(Model):
    """One rule of the desk's two ordered lists: when its conditions hold for an event, its
    actions run. `conditions` and `actions` are lists of one-key mappings (bot/rules/schema)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(RuleKind, max_length=16)
    position = fields.IntField(default=0)  # its place in its list, smallest first
    name = fields.CharField(max_length=128)
    enabled = fields.BooleanField(default=True)
    match = fields.CharField(max_length=8, default="all")  # all | any
    conditions = fields.JSONField(default=list)
    actions = fields.JSONField(default=list)
    stop = fields.BooleanField(default=False)  # no later rule of the list runs after it
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "rule"
        unique_together = (("kind", "name"),)
