"""Panel sign-ins: an admin gives an operator a sign-in on the operator's page; the account has
the operator's role, so a role changed there applies at once; a disabled account is signed
out; everyone changes their own language and password on "My account"."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.accounts import authenticate
from bot.cli import main
from storage import db
from storage.models import AdminAccount, AdminSession, AuditEntry, Conversation, Operator
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.admin_data import (
    ANNA,
    HOSTILE,
    OLGA,
    PETRO,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    customer_writes,
    signed_in,
)
from tests.fakes.desk import Desk
from tests.fakes.staff import hire
from tests.fakes.telegram import FakeTelegram

IVAN = 5010
SECRET = "olga's own secret"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
async def olga_browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


def listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/admin/conversations/(\d+)">#\d+<', html)}


async def conversations_seen(browser: PanelClient) -> set[int]:
    status, html = await browser.get("/admin/conversations")
    assert status == 200, html
    return listed(html)


async def ivan_with_olga_and_anna_waiting(desk: Desk) -> tuple[Operator, int, int]:
    """Olga takes Ivan's conversation; then she is away, and Anna's waits in the queue."""
    olga = await hire("default", "Olga", telegram=OLGA)
    await customer_writes(desk, IVAN, "Ivan", "Where is my parcel?")
    ivans = await Conversation.get(assignee_id=olga.id)
    await Operator.filter(id=olga.id).update(status="away")
    await customer_writes(desk, ANNA, "Anna", "Hello?")
    annas = await Conversation.exclude(id=ivans.id).get()
    assert annas.assignee_id is None
    return olga, ivans.id, annas.id


def operator_form(olga: Operator, role: str) -> dict[str, str]:
    return {
        "name": "Olga",
        "telegram_user_id": str(OLGA),
        "capacity": "5",
        "status": "away",
        "role": role,
    }


# --- an admin gives an operator a sign-in --------------------------------------------------------


async def test_an_admin_gives_olga_a_sign_in_and_she_sees_only_her_conversations(
    desk: Desk, browser: PanelClient, olga_browser: PanelClient
) -> None:
    olga, ivans, annas = await ivan_with_olga_and_anna_waiting(desk)
    await signed_in(browser, "boss")

    status, html = await browser.get(f"/admin/operators/{olga.id}")
    assert status == 200 and "Panel sign-in" in html
    assert "Olga cannot sign in to the panel yet." in html
    form = {"username": "olga", "password": SECRET, "password_again": SECRET, "language": "en"}
    status, html = await browser.post(f"/admin/operators/{olga.id}/accounts", form)
    assert status == 200 and "Saved." in html and "<h3>olga</h3>" in html
    assert "Can sign in." in html and "Last sign-in: —." in html

    account = await AdminAccount.get(username="olga")
    assert account.operator_id == olga.id and SECRET not in account.password_hash
    entry = await AuditEntry.get(action="account.created", operator_id=olga.id)
    assert (entry.actor_name, entry.operator_id) == ("web:boss", olga.id)
    assert entry.new_value == "olga (operator)"

    status, html = await olga_browser.sign_in("olga", SECRET)
    assert status == 200 and "<h1>Dashboard</h1>" in html
    assert await conversations_seen(olga_browser) == {ivans}
    status, _ = await olga_browser.get(f"/admin/conversations/{annas}")
    assert status == 403
    status, _ = await olga_browser.get(f"/admin/operators/{olga.id}")
    assert status == 403

    status, html = await browser.get(f"/admin/operators/{olga.id}")
    assert "Last sign-in: —." not in html and "Olga cannot sign in" not in html


async def test_a_refused_sign_in_form_says_why_next_to_each_field_and_saves_nothing(
    desk: Desk, browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    await signed_in(browser, "boss")
    await browser.get(f"/admin/operators/{olga.id}")

    form = {"username": "olga smith", "password": "tiny7", "password_again": "", "language": "de"}
    status, html = await browser.post(f"/admin/operators/{olga.id}/accounts", form)
    assert status == 400
    assert 'id="new-account-username-error"' in html and "letters, digits" in html
    assert 'id="new-account-password-error"' in html and "at least 10 characters" in html
    assert 'id="new-account-language-error"' in html
    assert 'value="olga smith"' in html and "tiny7" not in html  # passwords are never shown

    form = {"username": "boss", "password": SECRET, "password_again": SECRET + "!"}
    status, html = await browser.post(
        f"/admin/operators/{olga.id}/accounts", form | {"language": "en"}
    )
    assert status == 400 and "An account named boss exists already." in html
    assert 'id="new-account-password_again-error"' in html and "The two passwords differ." in html
    assert await AdminAccount.filter(operator_id=olga.id).count() == 0
    assert not await AuditEntry.exists(action="account.created", actor_name="web:boss")

    other = await hire("default", "Petro", telegram=PETRO)
    petros = await make_account("petro", "operator", operator=other)
    for path in (
        f"/admin/operators/{olga.id}/accounts/{petros.id}/password",  # not Olga's account
        f"/admin/operators/{olga.id}/accounts/999/disable",
        "/admin/operators/999/accounts",
    ):
        status, _ = await browser.post(path, {"password": SECRET, "password_again": SECRET})
        assert status == 404, path


async def test_an_admin_sets_a_new_password_and_language_for_olgas_sign_in(
    desk: Desk, browser: PanelClient, olga_browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    account = await make_account("olga", "operator", operator=olga)
    await signed_in(browser, "boss")
    await browser.get(f"/admin/operators/{olga.id}")
    base = f"/admin/operators/{olga.id}/accounts/{account.id}"

    status, html = await browser.post(
        f"{base}/password", {"password": SECRET, "password_again": "x"}
    )
    assert status == 400 and f'id="account-{account.id}-password_again-error"' in html
    status, html = await browser.post(
        f"{base}/password", {"password": SECRET, "password_again": SECRET}
    )
    assert status == 200 and "Saved." in html
    status, html = await browser.post(f"{base}/language", {"language": "ru"})
    assert status == 200 and "Saved." in html
    status, html = await browser.post(f"{base}/language", {"language": "klingon"})
    assert status == 400 and f'id="account-{account.id}-language-error"' in html

    assert await authenticate("olga", PASSWORD) is None
    status, html = await olga_browser.sign_in("olga", SECRET)
    assert status == 200 and "<h1>Панель</h1>" in html and "Выйти" in html
    actions = await AuditEntry.filter(actor_name="web:boss").values_list("action", flat=True)
    assert sorted(actions) == ["account.language", "account.password"]


# --- one role: the operator's --------------------------------------------------------------------


async def test_making_olga_a_supervisor_widens_what_her_account_sees_at_once(
    desk: Desk, browser: PanelClient, olga_browser: PanelClient
) -> None:
    olga, ivans, annas = await ivan_with_olga_and_anna_waiting(desk)
    await make_account("olga", "operator", operator=olga)
    await olga_browser.sign_in("olga")
    assert await conversations_seen(olga_browser) == {ivans}
    status, _ = await olga_browser.get("/admin/lines")
    assert status == 403

    await signed_in(browser, "boss")
    await browser.get(f"/admin/operators/{olga.id}")
    status, html = await browser.post(
        f"/admin/operators/{olga.id}", operator_form(olga, "supervisor")
    )
    assert status == 200 and "Saved." in html

    assert await conversations_seen(olga_browser) == {ivans, annas}  # the same session
    status, html = await olga_browser.get("/admin/lines")
    assert status == 200 and "Default line" in html
    status, _ = await olga_browser.get("/admin/operators")
    assert status == 403
    status, html = await olga_browser.get("/admin/account")
    assert "<strong>supervisor</strong>" in html

    await browser.post(f"/admin/operators/{olga.id}", operator_form(olga, "admin"))
    status, _ = await olga_browser.get("/admin/operators")
    assert status == 200
    await browser.post(f"/admin/operators/{olga.id}", operator_form(olga, "operator"))
    status, _ = await olga_browser.get("/admin/operators")
    assert status == 403
    assert await conversations_seen(olga_browser) == {ivans}


# --- disabling ---------------------------------------------------------------------------------


async def test_a_disabled_account_is_signed_out_at_its_next_request_and_can_be_enabled(
    desk: Desk, browser: PanelClient, olga_browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    account = await make_account("olga", "operator", operator=olga)
    await olga_browser.sign_in("olga")
    assert await AdminSession.filter(account_id=account.id).count() == 1

    await signed_in(browser, "boss")
    await browser.get(f"/admin/operators/{olga.id}")
    status, html = await browser.post(f"/admin/operators/{olga.id}/accounts/{account.id}/disable")
    assert status == 200 and "Disabled: cannot sign in." in html and "Enable sign-in" in html
    assert await AdminSession.filter(account_id=account.id).count() == 0
    assert (await AuditEntry.get(action="account.disabled")).actor_name == "web:boss"

    status, html = await olga_browser.get("/admin/conversations")
    assert 'name="password"' in html and "<h1>Conversations</h1>" not in html
    status, html = await olga_browser.sign_in("olga")
    assert status == 400 and "Wrong name or password." in html

    await browser.post(f"/admin/operators/{olga.id}/accounts/{account.id}/enable")
    status, html = await olga_browser.sign_in("olga")
    assert status == 200 and "<h1>Dashboard</h1>" in html


async def test_an_admin_cannot_disable_the_account_they_are_signed_in_with(
    desk: Desk, browser: PanelClient
) -> None:
    boss_as_operator = await Operator.create(name="Boss", telegram_user_id=PETRO)
    await signed_in(browser, "boss", operator=boss_as_operator)
    account = await AdminAccount.get(username="boss")
    await browser.get(f"/admin/operators/{boss_as_operator.id}")
    path = f"/admin/operators/{boss_as_operator.id}/accounts/{account.id}/disable"
    status, html = await browser.post(path)
    assert status == 400 and "You cannot disable the account you are signed in with." in html
    assert not (await AdminAccount.get(id=account.id)).disabled


@pytest.fixture
async def redis_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    client = aioredis.from_url(REDIS_URL)
    await client.flushdb()
    desk = await Desk(fake_telegram, database_url, redis_url=REDIS_URL).start()
    yield desk
    await desk.stop()
    await client.flushdb()
    await client.aclose()


async def test_with_sessions_in_redis_a_disabled_account_is_signed_out_too(
    redis_desk: Desk,
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    account = await make_account("olga", "operator", operator=olga)
    boss, olga_browser = PanelClient(redis_desk.url), PanelClient(redis_desk.url)
    try:
        await olga_browser.sign_in("olga")
        await signed_in(boss, "boss")
        await boss.get(f"/admin/operators/{olga.id}")
        await boss.post(f"/admin/operators/{olga.id}/accounts/{account.id}/disable")
        status, html = await olga_browser.get("/admin/")
        assert 'name="password"' in html and "<h1>Dashboard</h1>" not in html
    finally:
        await boss.close()
        await olga_browser.close()


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


# --- who may -------------------------------------------------------------------------------------


async def test_supervisors_and_operators_get_403_on_the_sign_in_actions(desk: Desk) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    petro = await hire("default", "Petro", telegram=PETRO)
    petros = await make_account("petro", "operator", operator=petro)
    for name, role in (("olga", "supervisor"), ("petro", "operator")):
        if name == "olga":
            await make_account(name, role, operator=olga)
        client = PanelClient(desk.url)
        try:
            await client.sign_in(name)
            base = f"/admin/operators/{petro.id}/accounts"
            posts = [
                (base, {"username": "petro2", "password": SECRET, "password_again": SECRET}),
                (f"{base}/{petros.id}/password", {"password": SECRET, "password_again": SECRET}),
                (f"{base}/{petros.id}/language", {"language": "uk"}),
                (f"{base}/{petros.id}/disable", {}),
                (f"{base}/{petros.id}/enable", {}),
            ]
            for path, form in posts:
                await client.get("/admin/account")
                status, html = await client.post(path, form)
                assert status == 403 and "You may not open this page" in html, (role, path)
        finally:
            await client.close()
    petros_now = await AdminAccount.get(id=petros.id)
    assert (petros_now.language, petros_now.disabled) == ("en", False)
    assert await authenticate("petro", PASSWORD)
    assert await AdminAccount.all().count() == 2
    assert not await AuditEntry.filter(
        action__startswith="account.", actor_name__startswith="web:"
    ).exists()


async def test_sign_in_forms_without_their_csrf_token_are_refused(
    desk: Desk, browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    await signed_in(browser, "boss")
    await browser.get(f"/admin/operators/{olga.id}")
    form = {"username": "olga", "password": SECRET, "password_again": SECRET, "language": "en"}
    status, html = await browser.post(f"/admin/operators/{olga.id}/accounts", form, csrf=False)
    assert status == 403 and "form has expired" in html
    status, _ = await browser.post("/admin/account/language", {"language": "uk"}, csrf=False)
    assert status == 403
    mine = {"current_password": PASSWORD, "password": SECRET, "password_again": SECRET}
    status, _ = await browser.post("/admin/account/password", mine | {"csrf_token": "forged"})
    assert status == 403
    assert not await AdminAccount.exists(username="olga")
    boss = await AdminAccount.get(username="boss")
    assert boss.language == "en" and await authenticate("boss", PASSWORD)


async def test_an_operator_named_with_markup_is_shown_as_text_in_the_sign_in_section(
    desk: Desk, browser: PanelClient
) -> None:
    hostile = await Operator.create(name=HOSTILE, telegram_user_id=PETRO)
    await signed_in(browser, "boss")
    status, html = await browser.get(f"/admin/operators/{hostile.id}")
    assert status == 200 and ESCAPED in html and HOSTILE not in html


# --- the command line ----------------------------------------------------------------------------


def test_create_admin_with_a_role_and_an_operator_gives_the_operator_that_role(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", database_url)
    assert main(["operators", "add", "--name", "Anna", "--telegram-id", "111"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    code = main(
        [
            "create-admin",
            "anna",
            "--role",
            "supervisor",
            "--operator",
            "telegram:111",
            "--password-stdin",
        ]
    )
    assert code == 0
    assert "Created supervisor account anna" in capsys.readouterr().out

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    assert main(["create-admin", "ghost", "--role", "operator", "--password-stdin"]) == 2
    assert "needs the operator it belongs to" in capsys.readouterr().err

    async def stored() -> tuple[str, int, str | None]:
        await db.connect(database_url)
        try:
            anna = await Operator.get(telegram_user_id=111)
            account = await AdminAccount.get(username="anna")
            change = await AuditEntry.get(action="operator.updated", operator_id=anna.id)
            return anna.role, account.operator_id, change.actor_name
        finally:
            await db.disconnect()

    role, operator_id, actor = asyncio.run(stored())
    assert role == "supervisor" and operator_id is not None and actor == "cli"
