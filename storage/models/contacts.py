"""Contacts: customers in the address book, and their identities on each channel."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Contact(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=256)
    language = fields.CharField(max_length=8, null=True)
    phone = fields.CharField(max_length=64, null=True)
    email = fields.CharField(max_length=256, null=True)
    company = fields.CharField(max_length=256, null=True)
    notes = fields.TextField(null=True)
    tags = fields.JSONField(default=list)  # a list of strings
    banned = fields.BooleanField(default=False)
    # Set when /link merged this contact into another: its identities moved there.
    merged_into_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contact"


class Identity(Model):
    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="identities", db_index=True
    )
    channel = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=128)
    username = fields.CharField(max_length=128, null=True)
    display_name = fields.CharField(max_length=256)
    language = fields.CharField(max_length=16, null=True)
    blocked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "identity"
        unique_together = (("channel", "external_id"),)
