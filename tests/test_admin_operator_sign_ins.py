"""Panel sign-ins for operators: an admin gives an operator a sign-in on the operator's page, and
sets its password and language; the account has the operator's role, so a role changed there
applies at once; the create-admin command gives the operator the account's role."""

from __future__ import annotations

import asyncio
import io
import re
import sys

import pytest

from bot.people.accounts import authenticate
from relaydesk.cli.main import main
from storage import db
from storage.models import AdminAccount, AuditEntry, Conversation, Operator
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.admin_data import (
    ANNA,
    OLGA,
    PETRO,
    SECRET,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    customer_writes,
    olga_browser_fixture,  # noqa: F401 (the "olga_browser" fixture)
    signed_in,
)
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

IVAN = 5010


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
