"""Admins set up lines and operators in the panel; supervisors manage who works in their
lines; operators are kept out. The checks are the directory's, as for the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.models import AuditEntry, Conversation, Line, LineMember, Operator
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
CUSTOMER = 5001
OLGA, PETRO = 1001, 1002


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


def line_form(**changes: str) -> dict[str, str]:
    form = {
        "slug": "vip",
        "name": "VIP customers",
        "workspace": "telegram:-1009999",
        "routing_policy": "least_busy",
        "reply_mode": "all",
        "day_mon": "9:00 - 18:00",
        "day_fri": "09:00-17:00",
        "timezone": "Europe/Kyiv",
        "greeting": "Hello!\r\nAn operator will answer shortly.",
        "out_of_hours_message": "We are closed.",
        "closing_message": "",
        "topics": "Billing\r\n\r\nDelivery\r\n",
        "auto_close_minutes": "1440",
    }
    return form | changes


async def signed_in(browser: PanelClient, name: str, role: str = "admin", operator=None) -> None:
    await make_account(name, role, operator=operator)
    status, _ = await browser.sign_in(name)
    assert status == 200


# --- lines ---------------------------------------------------------------------------------------


async def test_an_admin_creates_a_line_with_hours_topics_and_messages(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    status, html = await browser.get("/admin/lines/new")
    assert status == 200 and 'name="day_sun"' in html

    status, html = await browser.post("/admin/lines/new", line_form())
    assert status == 200 and "Saved." in html and "<h1>VIP customers</h1>" in html

    line = await Line.get(slug="vip")
    assert (line.workspace_kind, line.workspace_chat) == ("telegram", "-1009999")
    assert line.business_hours == {
        "timezone": "Europe/Kyiv",
        "days": {"mon": "09:00-18:00", "fri": "09:00-17:00"},
    }
    assert line.topics == ["Billing", "Delivery"]
    assert line.greeting == "Hello!\nAn operator will answer shortly."
    assert line.closing_message is None and line.csat_enabled is False
    assert line.auto_close_minutes == 1440
    entry = await AuditEntry.get(action="line.created")
    assert entry.actor_name == "web:boss" and entry.new_value == "vip"

    status, html = await browser.get("/admin/lines")
    assert "VIP customers" in html and "telegram:-1009999" in html


async def test_an_admin_edits_a_line_and_the_audit_names_what_changed(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    line = await Line.get(slug="default")
    status, html = await browser.get(f"/admin/lines/{line.id}")
    assert status == 200 and 'value="Default line"' in html

    form = line_form(name="First line", workspace=f"telegram:{line.workspace_chat}")
    form |= {"csat_enabled": "on", "auto_close_minutes": "", "day_mon": "", "day_fri": ""}
    status, html = await browser.post(f"/admin/lines/{line.id}", form)
    assert status == 200 and "Saved." in html

    await line.refresh_from_db()
    assert line.name == "First line" and line.business_hours is None
    assert line.csat_enabled is True and line.auto_close_minutes is None
    entry = await AuditEntry.get(action="line.updated")
    assert entry.actor_name == "web:boss" and "name" in entry.new_value
    assert "workspace_chat" not in entry.new_value  # unchanged fields are not audited


async def test_an_invalid_line_form_re_renders_with_the_error_next_to_the_field_and_saves_nothing(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    await browser.get("/admin/lines/new")
    bad = line_form(
        slug="VIP!", workspace="whatsapp:1", day_mon="25:00-18:00", auto_close_minutes="soon"
    )
    status, html = await browser.post("/admin/lines/new", bad)

    assert status == 400
    assert 'id="slug-error"' in html and "lowercase letters" in html
    assert 'id="workspace-error"' in html and "telegram:&lt;chat id&gt;" in html
    assert 'id="day_mon-error"' in html and "not a time of day" in html
    assert 'id="auto_close_minutes-error"' in html and "whole number" in html
    assert 'value="VIP customers"' in html and 'value="25:00-18:00"' in html  # kept as typed
    assert await Line.all().count() == 1
    assert not await AuditEntry.filter(action__startswith="line.").exists()

    line = await Line.get(slug="default")
    status, html = await browser.post(
        f"/admin/lines/{line.id}",
        line_form(
            name="Renamed", workspace=f"telegram:{line.workspace_chat}", timezone="Mars/Base"
        ),
    )
    assert status == 400 and 'id="timezone-error"' in html and "unknown time zone" in html
    await line.refresh_from_db()
    assert line.name == "Default line" and line.business_hours is None


async def test_a_workspace_of_another_line_is_refused_next_to_the_field(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    default = await Line.get(slug="default")
    await browser.get("/admin/lines/new")
    taken = line_form(workspace=f"telegram:{default.workspace_chat}")
    status, html = await browser.post("/admin/lines/new", taken)
    assert status == 400 and 'id="workspace-error"' in html and "already line" in html
    assert not await Line.exists(slug="vip")

    status, html = await browser.post("/admin/lines/new", line_form(slug="default"))
    assert status == 400 and "already exists" in html


async def test_a_line_without_history_can_be_deleted_one_with_conversations_cannot(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    await browser.get("/admin/lines/new")
    await browser.post("/admin/lines/new", line_form())
    vip = await Line.get(slug="vip")
    status, html = await browser.post(f"/admin/lines/{vip.id}/delete")
    assert status == 200 and "<h1>Lines</h1>" in html
    assert not await Line.exists(slug="vip")
    assert (await AuditEntry.get(action="line.removed")).actor_name == "web:boss"

    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    default = await Line.get(slug="default")
    await browser.get(f"/admin/lines/{default.id}")
    status, html = await browser.post(f"/admin/lines/{default.id}/delete")
    assert status == 400 and "cannot be removed" in html
    assert await Line.exists(slug="default")


async def test_an_admin_adds_and_removes_members_and_may_name_a_new_account(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    petro = await Operator.create(name="Petro", telegram_user_id=PETRO)
    line = await Line.get(slug="default")
    await browser.get(f"/admin/lines/{line.id}")

    status, html = await browser.post(f"/admin/lines/{line.id}/members", {"operator_id": petro.id})
    assert status == 200 and "Petro" in html
    status, html = await browser.post(
        f"/admin/lines/{line.id}/members", {"account": "slack:U0ANNA"}
    )
    assert status == 200
    anna = await Operator.get(slack_user_id="U0ANNA")
    members = set(await LineMember.filter(line_id=line.id).values_list("operator_id", flat=True))
    assert members == {petro.id, anna.id}

    status, html = await browser.post(f"/admin/lines/{line.id}/members/{petro.id}/remove")
    assert status == 200
    assert not await LineMember.exists(line_id=line.id, operator_id=petro.id)
    added = await AuditEntry.filter(action="member.added").values_list("actor_name", flat=True)
    assert added == ["web:boss", "web:boss"]

    status, html = await browser.post(f"/admin/lines/{line.id}/members", {"account": "bogus"})
    assert status == 400 and "names no operator" in html
    status, html = await browser.post(f"/admin/lines/{line.id}/members", {})
    assert status == 400 and "Choose an operator" in html


async def test_a_supervisor_edits_members_of_their_line_but_gets_403_on_another_line_and_on_creating_lines(  # noqa: E501
    desk: Desk, browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    petro = await Operator.create(name="Petro", telegram_user_id=PETRO)
    default = await Line.get(slug="default")
    other = await Line.create(
        slug="vip", name="VIP", workspace_kind="slack", workspace_chat="C0VIP"
    )
    await signed_in(browser, "sveta", "supervisor", operator=olga)

    status, html = await browser.get("/admin/lines")
    assert status == 200 and "Default line" in html and "VIP" not in html
    assert "/admin/lines/new" not in html
    status, html = await browser.get(f"/admin/lines/{default.id}")
    assert status == 200 and "<fieldset disabled" in html and 'name="account"' not in html

    status, html = await browser.post(
        f"/admin/lines/{default.id}/members", {"operator_id": petro.id}
    )
    assert status == 200
    assert await LineMember.exists(line_id=default.id, operator_id=petro.id)
    status, _ = await browser.post(f"/admin/lines/{default.id}/members/{petro.id}/remove")
    assert status == 200
    assert not await LineMember.exists(line_id=default.id, operator_id=petro.id)

    forbidden = [
        await browser.get(f"/admin/lines/{other.id}"),
        await browser.post(f"/admin/lines/{other.id}/members", {"operator_id": petro.id}),
        await browser.post(f"/admin/lines/{other.id}/members/{petro.id}/remove"),
        await browser.get("/admin/lines/new"),
        await browser.post("/admin/lines/new", line_form()),
        await browser.post(f"/admin/lines/{default.id}", line_form(name="Mine now")),
        await browser.post(f"/admin/lines/{default.id}/delete"),
        await browser.post(f"/admin/lines/{default.id}/members", {"account": "telegram:777"}),
        await browser.get("/admin/operators"),
        await browser.get("/admin/operators/new"),
        await browser.post("/admin/operators/new", {"name": "X", "telegram_user_id": "5"}),
        await browser.get(f"/admin/operators/{petro.id}"),
        await browser.post(f"/admin/operators/{petro.id}", {"name": "X", "capacity": "1"}),
    ]
    assert [status for status, _ in forbidden] == [403] * len(forbidden)
    assert await Line.all().count() == 2 and (await Line.get(id=default.id)).name == "Default line"
    assert not await Operator.exists(telegram_user_id=777)
    assert (await Operator.get(id=petro.id)).name == "Petro"


async def test_an_operator_gets_403_on_lines_operators_settings_and_audit(
    desk: Desk, browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    line = await Line.get(slug="default")
    await signed_in(browser, "olga", "operator", operator=olga)
    pages = [
        "/admin/lines",
        "/admin/lines/new",
        f"/admin/lines/{line.id}",
        "/admin/operators",
        "/admin/operators/new",
        f"/admin/operators/{olga.id}",
        "/admin/settings",
        "/admin/audit",
    ]
    for path in pages:
        status, html = await browser.get(path)
        assert status == 403 and "You may not open this page" in html, path
    posts = [
        ("/admin/lines/new", line_form()),
        (f"/admin/lines/{line.id}", line_form(name="Mine")),
        (f"/admin/lines/{line.id}/delete", {}),
        (f"/admin/lines/{line.id}/members", {"operator_id": str(olga.id)}),
        (f"/admin/lines/{line.id}/members/{olga.id}/remove", {}),
        ("/admin/operators/new", {"name": "X", "telegram_user_id": "5", "capacity": "1"}),
        (f"/admin/operators/{olga.id}", {"name": "X", "capacity": "99", "status": "dnd"}),
        ("/admin/settings", {"note_prefix": "##", "default_language": "uk"}),
    ]
    for path, form in posts:
        await browser.get("/admin/")
        status, _ = await browser.post(path, form)
        assert status == 403, path
    olga_now = await Operator.get(id=olga.id)
    assert (olga_now.name, olga_now.capacity, olga_now.status) == ("Olga", 5, "free")
    assert await LineMember.exists(line_id=line.id, operator_id=olga.id)
    assert desk.core.settings.note_prefix == "//"


async def test_unknown_line_and_operator_ids_are_404(desk: Desk, browser: PanelClient) -> None:
    await signed_in(browser, "boss")
    line = await Line.get(slug="default")
    for path in (
        "/admin/lines/999",
        "/admin/operators/999",
        "/admin/lines/abc",
        "/admin/lines/99999999999999999999",
    ):
        status, html = await browser.get(path)
        assert status == 404 and "There is no such page." in html, path
    await browser.get(f"/admin/lines/{line.id}")
    for path in (
        "/admin/lines/999",
        "/admin/lines/999/members",
        f"/admin/lines/{line.id}/members/999/remove",
    ):  # noqa: E501
        status, _ = await browser.post(path, line_form())
        assert status == 404, path


async def test_line_forms_without_the_csrf_token_are_refused(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    line = await Line.get(slug="default")
    await browser.get("/admin/lines/new")
    for path in ("/admin/lines/new", f"/admin/lines/{line.id}", f"/admin/lines/{line.id}/delete"):
        status, html = await browser.post(path, line_form(), csrf=False)
        assert status == 403 and "form has expired" in html
    status, _ = await browser.post("/admin/operators/new", {"name": "X"}, csrf=False)
    assert status == 403
    assert await Line.all().count() == 1 and not await Operator.exists(name="X")


async def test_hostile_names_are_shown_escaped(desk: Desk, browser: PanelClient) -> None:
    await signed_in(browser, "boss")
    await Operator.create(name=HOSTILE, telegram_user_id=PETRO)
    await hire("default", "Olga", telegram=OLGA)
    line = await Line.get(slug="default")
    await LineMember.create(line=line, operator=await Operator.get(telegram_user_id=PETRO))
    await browser.get("/admin/lines/new")
    await browser.post("/admin/lines/new", line_form(name=HOSTILE, greeting=HOSTILE))

    for path in ("/admin/lines", f"/admin/lines/{line.id}", "/admin/operators"):
        status, html = await browser.get(path)
        assert status == 200 and ESCAPED in html and HOSTILE not in html, path
    vip = await Line.get(slug="vip")
    status, html = await browser.get(f"/admin/lines/{vip.id}")
    assert ESCAPED in html and HOSTILE not in html


# --- operators -----------------------------------------------------------------------------------


async def test_an_admin_adds_an_operator_by_telegram_id_with_role_capacity_and_language(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    status, html = await browser.get("/admin/operators/new")
    assert status == 200
    form = {
        "name": "Petro",
        "telegram_user_id": str(PETRO),
        "telegram_username": "@petro_support",
        "role": "supervisor",
        "capacity": "8",
        "status": "away",
        "language": "uk",
    }
    status, html = await browser.post("/admin/operators/new", form)
    assert status == 200 and "Saved." in html and "<h1>Petro</h1>" in html, html

    petro = await Operator.get(telegram_user_id=PETRO)
    assert (petro.telegram_username, petro.role, petro.capacity) == (
        "petro_support",
        "supervisor",
        8,
    )
    assert (petro.status, petro.language) == ("away", "uk")
    assert (await AuditEntry.get(action="operator.created")).actor_name == "web:boss"

    status, html = await browser.get("/admin/operators")
    assert "Petro" in html and f"telegram:{PETRO}" in html and "supervisor" in html

    status, html = await browser.post(
        "/admin/operators/new", {"name": "Anna", "slack_user_id": "U0ANNA", "capacity": "3"}
    )
    assert status == 200 and (await Operator.get(slack_user_id="U0ANNA")).capacity == 3


async def test_an_invalid_operator_form_shows_the_error_next_to_the_field(
    desk: Desk, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    olga = await hire("default", "Olga", telegram=OLGA)
    await browser.get("/admin/operators/new")

    status, html = await browser.post("/admin/operators/new", {"name": "Nobody", "capacity": "2"})
    assert status == 400 and 'id="telegram_user_id-error"' in html
    assert "needs telegram_user_id or slack_user_id" in html

    form = {"name": "Twin", "telegram_user_id": str(OLGA), "capacity": "-1", "slack_user_id": "x"}
    status, html = await browser.post("/admin/operators/new", form)
    assert status == 400 and 'id="capacity-error"' in html and 'id="slack_user_id-error"' in html

    status, html = await browser.post(
        "/admin/operators/new", form | {"capacity": "2", "slack_user_id": ""}
    )
    assert status == 400 and 'id="telegram_user_id-error"' in html and "already belongs" in html
    assert await Operator.all().count() == 1

    edit = {"name": "Olga", "telegram_user_id": "", "capacity": "5", "status": "dnd"}
    status, html = await browser.post(f"/admin/operators/{olga.id}", edit)
    assert status == 400 and "needs a telegram_user_id or a slack_user_id" in html
    await olga.refresh_from_db()
    assert (olga.telegram_user_id, olga.status) == (OLGA, "free")

    petro = await Operator.create(name="Petro", telegram_user_id=PETRO)
    status, html = await browser.post(
        f"/admin/operators/{olga.id}", edit | {"telegram_user_id": str(PETRO)}
    )
    assert status == 400 and 'id="telegram_user_id-error"' in html and "Petro" in html
    status, html = await browser.post(
        f"/admin/operators/{olga.id}", edit | {"slack_user_id": "U0OLGA"}
    )
    assert status == 200 and "Saved." in html
    await olga.refresh_from_db()
    assert (olga.telegram_user_id, olga.slack_user_id, olga.status) == (None, "U0OLGA", "dnd")
    assert (await Operator.get(id=petro.id)).telegram_user_id == PETRO


async def test_setting_an_operator_free_in_the_panel_hands_them_the_waiting_conversation(
    desk: Desk, browser: PanelClient
) -> None:
    """The same path as /status free: the queue drains to the operator at once."""
    olga = await hire("default", "Olga", telegram=OLGA, status="away")
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    assert (await Conversation.get()).assignee_id is None

    boss_as_operator = await Operator.create(name="Boss", telegram_user_id=PETRO)
    await signed_in(browser, "boss", operator=boss_as_operator)
    await browser.get(f"/admin/operators/{olga.id}")
    form = {"name": "Olga", "telegram_user_id": str(OLGA), "capacity": "4", "status": "free"}
    status, html = await browser.post(f"/admin/operators/{olga.id}", form)
    assert status == 200 and "Saved." in html
    await desk.settle()

    conversation = await Conversation.get()
    assert conversation.assignee_id == olga.id
    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    olga_now = await Operator.get(id=olga.id)
    assert (olga_now.status, olga_now.capacity) == ("free", 4)
    change = await AuditEntry.get(action="status", operator_id=olga.id)
    assert (change.old_value, change.new_value, change.actor_id) == (
        "away",
        "free",
        boss_as_operator.id,
    )
    by_web = await AuditEntry.filter(action="operator.updated").values_list("actor_name", flat=True)
    assert set(by_web) == {"web:boss"}
