"""The admin panel's accounts and sessions, and the settings it changes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from storage.models.operators import Operator


class AdminAccount(Model):
    """A person who signs in to the web admin panel."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=256)
    role = fields.CharField(max_length=16, default="admin")  # admin | supervisor | operator
    # Supervisors see the lines of this operator; operators see its conversations.
    operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="admin_accounts", null=True
    )
    language = fields.CharField(max_length=8, default="en")
    disabled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "admin_account"


class AdminSession(Model):
    """A signed-in browser, when Redis does not keep sessions. Only a hash of the cookie's
    token is stored, so a copy of the database signs nobody in."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    account: fields.ForeignKeyRelation[AdminAccount] = fields.ForeignKeyField(
        "models.AdminAccount", related_name="sessions"
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "admin_session"


class Setting(Model):
    """A global setting changed in the admin panel; it wins over the environment's value."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "setting"
