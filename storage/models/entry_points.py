"""Entry points: the customer endpoints of each channel, and what the API and the web chat
add to theirs."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.lines import Line


class EntryPoint(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    key = fields.CharField(max_length=128, unique=True)
    name = fields.CharField(max_length=128)
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="entry_points"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "entry_point"


class ApiEntryPoint(Model):
    """What an `api` entry point adds: its key (only a hash: the key is shown once, when it
    is made) and the webhook its events and operators' replies are POSTed to."""

    id = fields.IntField(primary_key=True)
    entry_point: fields.OneToOneRelation[EntryPoint] = fields.OneToOneField(
        "models.EntryPoint", related_name="api"
    )
    key_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the key
    key_hint = fields.CharField(max_length=16)  # the key's first characters, to tell keys apart
    key_rotated_at = fields.DatetimeField(null=True)
    webhook_url = fields.CharField(max_length=512, null=True)
    # It signs what is sent, so it is kept as it is (unlike the key).
    webhook_secret = fields.CharField(max_length=64, null=True)
    requests_per_minute = fields.IntField(default=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_entry_point"


class WebchatEntryPoint(Model):
    """What a `webchat` entry point adds: the public key its site's snippet carries, the sites
    (origins) allowed to use it, the widget's look, and the secret visitor tokens are signed
    with (its own, so a token of one entry point is nothing at another)."""

    id = fields.IntField(primary_key=True)
    entry_point: fields.OneToOneRelation[EntryPoint] = fields.OneToOneField(
        "models.EntryPoint", related_name="webchat"
    )
    public_key = fields.CharField(max_length=40, unique=True)
    key_rotated_at = fields.DatetimeField(null=True)
    allowed_origins = fields.JSONField(default=list)  # ["https://shop.example", ...]
    title = fields.CharField(max_length=64, null=True)  # null: "Chat with us", translated
    color = fields.CharField(max_length=7, default="#1f6feb")
    position = fields.CharField(max_length=8, default="right")  # right | left
    visitor_secret = fields.CharField(max_length=64)
    # The pre-chat form's fields, each off | optional | required.
    form_name = fields.CharField(max_length=8, default="off")
    form_email = fields.CharField(max_length=8, default="off")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webchat_entry_point"
