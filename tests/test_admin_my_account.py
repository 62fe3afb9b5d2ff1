"""My account: everyone opens "My account" from the menu and changes their own language and
password there; guessing the current password is throttled like signing in."""

from __future__ import annotations

from bot.people.accounts import authenticate
from storage.models import AuditEntry, Operator
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.admin_data import (
    ESCAPED,
    HOSTILE,
    OLGA,
    PETRO,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    signed_in,
)
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

# --- my account ----------------------------------------------------------------------------------


async def test_everyone_opens_my_account_from_the_menu(desk: Desk) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    petro = await Operator.create(name=HOSTILE, telegram_user_id=PETRO)
    for name, role, operator in (
        ("boss", "admin", None),
        ("sveta", "supervisor", olga),
        ("petro", "operator", petro),
    ):
        await make_account(name, role, operator=operator)
        client = PanelClient(desk.url)
        try:
            status, html = await client.sign_in(name)
            assert '<a href="/admin/account" title="My account"' in html, name
            status, html = await client.get("/admin/account")
            assert status == 200 and "<h1>My account</h1>" in html, name
            assert f"Signed in as {name}." in html and f"<strong>{role}</strong>" in html
            assert HOSTILE not in html
            assert (ESCAPED in html) == (name == "petro")  # his operator's name, as text
        finally:
            await client.close()


async def test_choosing_ukrainian_on_my_account_switches_the_panel_at_once(
    desk: Desk, browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    await make_account("olga", "operator", operator=olga)
    await browser.sign_in("olga")
    await browser.get("/admin/account")

    status, html = await browser.post("/admin/account/language", {"language": "xx"})
    assert status == 400 and 'id="language-error"' in html and "en, ru, uk" in html
    status, html = await browser.post("/admin/account/language", {"language": "uk"})
    assert status == 200 and "<h1>Мій обліковий запис</h1>" in html and 'lang="uk"' in html
    status, html = await browser.get("/admin/")
    assert 'lang="uk"' in html and "Вийти" in html
    entry = await AuditEntry.get(action="account.language")
    assert (entry.old_value, entry.new_value, entry.actor_name) == ("en", "uk", "web:olga")
    assert entry.actor_id == olga.id


async def test_changing_my_password_needs_the_current_one(desk: Desk, browser: PanelClient) -> None:
    await signed_in(browser, "boss")
    await browser.get("/admin/account")
    new = "a brand new passphrase"
    wrong = {"current_password": "not my password", "password": new, "password_again": new}
    status, html = await browser.post("/admin/account/password", wrong)
    assert status == 400 and 'id="current_password-error"' in html
    assert "The current password is wrong." in html
    assert await authenticate("boss", PASSWORD) and not await authenticate("boss", new)

    status, html = await browser.post(
        "/admin/account/password",
        {"current_password": PASSWORD, "password": "too short", "password_again": "too short"},
    )
    assert status == 400 and 'id="password-error"' in html and "at least 10" in html
    status, html = await browser.post(
        "/admin/account/password", wrong | {"current_password": PASSWORD, "password_again": "x"}
    )
    assert status == 400 and 'id="password_again-error"' in html
    assert await authenticate("boss", PASSWORD)
    assert not await AuditEntry.exists(action="account.password")

    status, html = await browser.post(
        "/admin/account/password", wrong | {"current_password": PASSWORD}
    )
    assert status == 200 and "Your password is changed." in html
    assert (await AuditEntry.get(action="account.password")).actor_name == "web:boss"

    await browser.post("/admin/logout")
    status, html = await browser.sign_in("boss", PASSWORD)
    assert status == 400 and "Wrong name or password." in html
    status, html = await browser.sign_in("boss", new)
    assert status == 200 and "<h1>Dashboard</h1>" in html


async def test_guessing_the_current_password_is_throttled_like_signing_in(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    await browser.get("/admin/account")
    guess = {"current_password": "guess", "password": "x" * 12, "password_again": "x" * 12}
    for _ in range(5):
        status, _html = await browser.post("/admin/account/password", guess)
        assert status == 400
    status, html = await browser.post(
        "/admin/account/password", guess | {"current_password": PASSWORD}
    )
    assert status == 429 and "Too many attempts" in html
    assert await authenticate("boss", PASSWORD)
