"""Signing in to the admin panel: accounts, sessions, CSRF, throttling, signing out."""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncIterator

import pytest

from relaydesk.cli.main import main
from storage.models import AdminAccount
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.desk import Desk


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def test_every_page_asks_to_sign_in_first(desk: Desk, browser: PanelClient) -> None:
    for path in ("/admin/", "/admin/conversations", "/admin/dashboard/live", "/admin/nowhere"):
        async with browser.session.get(desk.url + path, allow_redirects=False) as response:
            assert response.status == 302, path
            assert response.headers["Location"].startswith("/admin/login?next=")


async def test_an_admin_signs_in_sees_the_dashboard_and_signs_out(
    desk: Desk, browser: PanelClient
) -> None:
    await make_account("boss")

    await browser.get("/admin/login")
    form = {"username": "boss", "password": PASSWORD, "csrf_token": browser.csrf}
    async with browser.session.post(
        desk.url + "/admin/login", data=form, allow_redirects=False
    ) as response:
        assert response.status == 302 and response.headers["Location"] == "/admin/"
        cookie = response.headers["Set-Cookie"]
    assert "relaydesk_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Path=/admin/" in cookie

    status, html = await browser.get("/admin/")
    assert status == 200 and "<h1>Dashboard</h1>" in html

    status, html = await browser.post("/admin/logout")
    assert status == 200 and 'name="password"' in html
    status, html = await browser.get("/admin/")
    assert 'name="password"' in html


async def test_a_wrong_password_is_refused_and_many_attempts_are_slowed_down(
    desk: Desk, browser: PanelClient
) -> None:
    await make_account("boss")
    for _ in range(5):
        status, html = await browser.sign_in("boss", "wrong password!")
        assert status == 400 and "Wrong name or password." in html

    status, html = await browser.sign_in("boss")  # the right one, too late
    assert status == 429 and "Too many attempts" in html


async def test_a_form_without_its_csrf_token_is_refused(desk: Desk, browser: PanelClient) -> None:
    await make_account("boss")
    await browser.sign_in("boss")

    status, html = await browser.post("/admin/logout", csrf=False)
    assert status == 403 and "form has expired" in html
    status, html = await browser.post("/admin/logout", {"csrf_token": "forged"})
    assert status == 403
    status, html = await browser.get("/admin/")
    assert "<h1>Dashboard</h1>" in html  # still signed in


async def test_the_sign_in_form_needs_its_own_token(desk: Desk, browser: PanelClient) -> None:
    await make_account("boss")
    status, _ = await browser.post(
        "/admin/login", {"username": "boss", "password": "correct horse battery"}, csrf=False
    )
    assert status == 403


async def test_the_panel_speaks_the_accounts_language(desk: Desk, browser: PanelClient) -> None:
    await make_account("olha", language="uk")
    status, html = await browser.sign_in("olha")
    assert "Панель" in html or "Черга" in html


def test_create_admin_reads_the_password_from_stdin(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", database_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    assert main(["create-admin", "boss", "--password-stdin"]) == 0
    assert "Created admin account boss" in capsys.readouterr().out

    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["create-admin", "boss2", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    assert main(["create-admin", "boss", "--password-stdin"]) == 2
    assert "exists already" in capsys.readouterr().err


async def test_a_stored_password_is_an_argon2_hash(desk: Desk) -> None:
    await make_account("boss")
    stored = (await AdminAccount.get(username="boss")).password_hash
    assert stored.startswith("$argon2") and "horse" not in stored
