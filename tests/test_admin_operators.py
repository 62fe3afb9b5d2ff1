"""Admins set up operators in the panel; operators themselves are kept out of the setup
pages; unknown ids are 404 and hostile names are shown as text."""

from __future__ import annotations

from storage.models import AuditEntry, Conversation, Line, LineMember, Operator
from tests.fakes.admin import PanelClient
from tests.fakes.admin_data import (
    CUSTOMER,
    HOSTILE,
    OLGA,
    PETRO,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    line_form,
    signed_in,
)
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


# --- operators ----------------------------------------------------------------------------------


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


# --- who may, unknown ids, hostile names --------------------------------------------------------


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
    assert desk.core.live_settings.note_prefix == "//"


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
