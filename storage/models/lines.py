"""Lines: the teams of operators, each with its workspace, routing and business hours."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class RoutingPolicy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_BUSY = "least_busy"
    MANUAL = "manual"  # the queue only: operators /take or /next


class Line(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=128)
    workspace_kind = fields.CharField(max_length=16)
    workspace_chat = fields.CharField(max_length=64)
    # "all": every thread reply goes to the customer; "marked": only `!reply …` does, for
    # teams that chat a lot in threads.
    reply_mode = fields.CharField(max_length=8, default="all")
    routing_policy = fields.CharEnumField(
        RoutingPolicy, max_length=16, default=RoutingPolicy.ROUND_ROBIN
    )
    # {"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00", ...}}; null: always open.
    business_hours = fields.JSONField(null=True)
    greeting = fields.TextField(null=True)
    out_of_hours_message = fields.TextField(null=True)
    closing_message = fields.TextField(null=True)
    topics = fields.JSONField(default=list)  # the topic dictionary offered on close
    csat_enabled = fields.BooleanField(default=True)
    auto_close_minutes = fields.IntField(null=True)  # null: never closes by itself
    # Suggested answers under a customer's question (bot/suggestions): off unless turned on.
    suggestions = fields.BooleanField(default=False)
    # Round robin: the operator who got the line's last conversation.
    last_assigned_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "line"
        unique_together = (("workspace_kind", "workspace_chat"),)
