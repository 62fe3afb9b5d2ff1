"""Admins set up lines in the panel; supervisors manage who works in their lines. The checks
are the directory's, as for the CLI."""

from __future__ import annotations

from storage.models import AuditEntry, Line, LineMember, Operator
from tests.fakes.admin import PanelClient
from tests.fakes.admin_data import (
    CUSTOMER,
    OLGA,
    PETRO,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    line_form,
    signed_in,
)
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

# --- lines --------------------------------------------------------------------------------------


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


# --- members ------------------------------------------------------------------------------------


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
