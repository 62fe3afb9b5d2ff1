"""What a web chat visitor's window shows."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.entry_points import EntryPoint


class WebchatItem(Model):
    """One line of a web chat visitor's window, as the widget shows it: the visitor's message,
    an operator's answer, the desk's words or a question with buttons. A reload, a second tab
    or a long poll reads these; an operator's edit or deletion changes its line."""

    id = fields.BigIntField(primary_key=True)
    entry_point: fields.ForeignKeyRelation[EntryPoint] = fields.ForeignKeyField(
        "models.EntryPoint", related_name="webchat_items"
    )
    visitor = fields.CharField(max_length=64)  # the identity's external id, "<ep id>:<visitor>"
    kind = fields.CharField(max_length=8)  # in | out | notice | question
    text = fields.TextField(null=True)
    author = fields.CharField(max_length=128, null=True)
    message_id = fields.IntField(null=True)
    # A question's buttons: [[label, command, conversation id, arg], ...]; the chosen index.
    buttons = fields.JSONField(null=True)
    answered = fields.IntField(null=True)
    # Files shown with the line: [{"id", "name", "type", "size", "key"}] ("key" signs links).
    files = fields.JSONField(null=True)
    deleted = fields.BooleanField(default=False)
    # A visitor's message: when an operator first acted after it (answered, took it).
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webchat_item"
        indexes = (("visitor", "id"),)
