"""Who may still get in, and who may act: a disabled account is signed out at its next request
(sessions in the database or in Redis); only admins may manage sign-ins (403s, CSRF), and an
operator's name is shown as text in the sign-in section."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.people.accounts import authenticate
from storage.models import AdminAccount, AdminSession, AuditEntry, Operator
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.admin_data import (
    ESCAPED,
    HOSTILE,
    OLGA,
    PETRO,
    SECRET,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    olga_browser_fixture,  # noqa: F401 (the "olga_browser" fixture)
    signed_in,
)
from tests.fakes.desk import Desk
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.staff import hire
from tests.fakes.telegram import FakeTelegram

REDIS_URL = redis_url(SHARED)


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
