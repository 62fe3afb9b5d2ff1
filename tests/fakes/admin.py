"""Signing in to the admin panel of a running desk, as a test (or a browser test) does."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import aiohttp

from bot.people.accounts import create_account
from storage.models import AdminAccount, Operator

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def make_account(
    name: str, role: str = "admin", operator: Operator | None = None, language: str = "en"
) -> AdminAccount:
    """An account with this role. An account has its operator's role, so a linked operator is
    given the role first, straight in the database as `hire` does (no audit entry)."""
    if operator is not None:
        await Operator.filter(id=operator.id).update(role=role)
        operator.role = role
    return await create_account(
        name, PASSWORD, operator=operator, language=language, at=datetime.now(UTC)
    )


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class PanelClient:
    """A browser without JavaScript: cookies, forms with their CSRF token, redirects."""

    def __init__(self, base_url: str, *, source_address: str | None = None) -> None:
        """`source_address`: another loopback address (127.0.0.x) to come from, for a test
        of per-address limits that other runs signing in from 127.0.0.1 must not disturb."""
        self.base = base_url
        connector = aiohttp.TCPConnector(local_addr=(source_address, 0)) if source_address else None
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), connector=connector
        )
        self.csrf = ""

    async def close(self) -> None:
        await self.session.close()

    async def get(self, path: str, **kwargs) -> tuple[int, str]:
        async with self.session.get(self.base + path, **kwargs) as response:
            html = await response.text()
            if 'name="csrf_token"' in html:
                self.csrf = csrf_of(html)
            return response.status, html

    async def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        async with self.session.post(self.base + path, data=form, **kwargs) as response:
            html = await response.text()
            if 'name="csrf_token"' in html:
                self.csrf = csrf_of(html)
            return response.status, html

    async def sign_in(self, name: str, password: str = PASSWORD) -> tuple[int, str]:
        await self.get("/admin/login")
        return await self.post("/admin/login", {"username": name, "password": password})
