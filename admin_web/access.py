"""Who is looking: the signed-in account, its role, and which lines and conversations it
may see. Every page asks here on the server; a hidden link is never the protection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.people.accounts import operator_of, role_of
from bot.people.contact_visibility import Sight, sight_of
from storage.models import AdminAccount, Operator

ADMIN, SUPERVISOR, OPERATOR = "admin", "supervisor", "operator"


@dataclass
class Viewer:
    """Loaded afresh on every request, so a role changed on the operators page (or a
    disabled account) applies at the account's next request."""

    account: AdminAccount
    csrf_token: str
    line_ids: frozenset[int] | None  # None: every line (admins)
    operator: Operator | None = None  # the operator the account is; its role is the account's

    @property
    def role(self) -> str:
        return role_of(self.account, self.operator)

    @property
    def operator_id(self) -> int | None:
        return self.account.operator_id  # type: ignore[attr-defined]

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise web.HTTPForbidden(text="forbidden")

    @property
    def sight(self) -> Sight:
        """The lines and contacts this viewer sees, by the rule the chat's commands use."""
        return Sight(self.line_ids)

    def sees_line(self, line_id: int) -> bool:
        return self.sight.sees_line(line_id)

    def require_line(self, line_id: int) -> None:
        if not self.sees_line(line_id):
            raise web.HTTPForbidden(text="forbidden")

    def conversation_scope(self) -> dict[str, Any]:
        """Filters for Conversation querysets: admins all, supervisors their lines,
        operators the conversations assigned to them."""
        if self.role == ADMIN:
            return {}
        if self.role == SUPERVISOR:
            return {"line_id__in": sorted(self.line_ids or ())}
        return {"assignee_id": self.operator_id or 0}


async def viewer_for(account: AdminAccount, csrf_token: str) -> Viewer:
    operator = await operator_of(account)
    sight = await sight_of(role_of(account, operator), operator)
    return Viewer(account, csrf_token, sight.line_ids, operator)


VIEWER = web.RequestKey("viewer", Viewer)
SESSION_TOKEN = web.RequestKey("session_token", str)
LOGIN_CSRF = web.RequestKey("login_csrf", str)


def viewer(request: web.Request) -> Viewer:
    found = request.get(VIEWER)
    if found is None:
        raise web.HTTPForbidden(text="forbidden")
    return found
