"""Files that live in no messenger."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.conversations import Conversation, Message


class StoredFile(Model):
    """The bytes of a file that lives in no messenger: a web chat visitor's or an API
    contact's upload, and an operator's file passed on to them. In the database, so that
    every instance of the desk serves it; dropped after RELAYDESK_FILES_RETENTION_DAYS."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="files", null=True, on_delete=fields.CASCADE
    )
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="files", null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=255)
    mime = fields.CharField(max_length=128)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    data = fields.BinaryField()
    link_key = fields.CharField(max_length=64)  # signs this file's download links
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "stored_file"
