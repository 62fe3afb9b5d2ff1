"""Signed-in browsers: a random token in the cookie, the session itself on the server
(Redis when configured, else the database)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from admin_web.security import new_token, token_hash
from storage.models import AdminSession

SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    account_id: int
    csrf_token: str


class SessionStore(Protocol):
    async def create(self, account_id: int, now: datetime) -> tuple[str, Session]: ...

    async def load(self, token: str, now: datetime) -> Session | None: ...

    async def drop(self, token: str) -> None: ...


class DatabaseSessions:
    async def create(self, account_id: int, now: datetime) -> tuple[str, Session]:
        token, csrf = new_token(), new_token()
        await AdminSession.create(
            token_hash=token_hash(token),
            account_id=account_id,
            csrf_token=csrf,
            expires_at=now + SESSION_LIFETIME,
        )
        await AdminSession.filter(expires_at__lt=now).delete()
        return token, Session(account_id, csrf)

    async def load(self, token: str, now: datetime) -> Session | None:
        row = await AdminSession.get_or_none(token_hash=token_hash(token), expires_at__gt=now)
        return Session(row.account_id, row.csrf_token) if row else None  # type: ignore[attr-defined]

    async def drop(self, token: str) -> None:
        await AdminSession.filter(token_hash=token_hash(token)).delete()


class RedisSessions:
    PREFIX = "relaydesk:admin-session:"

    def __init__(self, redis: Any) -> None:
        self._redis = redis

    async def create(self, account_id: int, now: datetime) -> tuple[str, Session]:
        token, csrf = new_token(), new_token()
        value = json.dumps({"account_id": account_id, "csrf": csrf})
        ttl = int(SESSION_LIFETIME.total_seconds())
        await self._redis.set(self.PREFIX + token_hash(token), value, ex=ttl)
        return token, Session(account_id, csrf)

    async def load(self, token: str, now: datetime) -> Session | None:
        raw = await self._redis.get(self.PREFIX + token_hash(token))
        if raw is None:
            return None
        data = json.loads(raw)
        return Session(int(data["account_id"]), str(data["csrf"]))

    async def drop(self, token: str) -> None:
        await self._redis.delete(self.PREFIX + token_hash(token))
