"""The REST API's answers by idempotency key."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.entry_points import EntryPoint


class ApiRequest(Model):
    """A POST of the REST API by its `Idempotency-Key`: the same key with the same body gets
    the stored answer again, with another body a 409."""

    id = fields.BigIntField(primary_key=True)
    entry_point: fields.ForeignKeyRelation[EntryPoint] = fields.ForeignKeyField(
        "models.EntryPoint", related_name="api_requests"
    )
    key = fields.CharField(max_length=128)
    fingerprint = fields.CharField(max_length=64)  # sha256 of the method, path and body
    status = fields.IntField()
    response = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_request"
        unique_together = (("entry_point", "key"),)
