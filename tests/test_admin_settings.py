"""Admins change the desk's global settings in the panel and read the audit log: a change
applies at once, survives a restart, and is written down with who made it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.base import audit
from storage.models import AuditEntry, Conversation, Setting
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import hire

CUSTOMER = 5001
OLGA = 1001
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def as_admin(browser: PanelClient, name: str = "boss") -> None:
    await make_account(name)
    await browser.sign_in(name)


def settings_form(**changes: str) -> dict[str, str]:
    return {"note_prefix": "//", "default_language": "en", "assign_on_reply": "on"} | changes


async def open_conversation(desk: Desk, language: str | None = "en") -> int:
    desk.fake.add_user(CUSTOMER, "Ivan", language_code=language)
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    return desk.topic_of("Ivan")["message_thread_id"]


async def test_a_setting_changed_in_the_panel_applies_at_once_a_message_starting_with_the_new_note_prefix_stays_internal(  # noqa: E501
    desk: Desk, browser: PanelClient
) -> None:
    thread = await open_conversation(desk)
    await as_admin(browser)
    status, html = await browser.get("/admin/settings")
    assert status == 200 and 'value="//"' in html

    status, html = await browser.post("/admin/settings", settings_form(note_prefix="##"))
    assert status == 200 and "Saved." in html and 'value="##"' in html

    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "## he called yesterday too", thread_id=thread)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "// this one is an answer now", thread_id=thread)
    await desk.settle()
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["// this one is an answer now"]

    entry = await AuditEntry.get(action="setting.changed")
    assert (entry.actor_name, entry.old_value, entry.new_value) == ("web:boss", "//", "##")
    assert entry.details == {"setting": "note_prefix"}
    assert await Setting.filter(key="note_prefix").values_list("value", flat=True) == [
        {"value": "##"}
    ]


async def test_saved_settings_win_over_the_environment_after_a_restart(desk: Desk) -> None:
    await desk.core.live_settings.change("note_prefix", "#note", actor_name="cli")
    await desk.core.live_settings.change("assign_on_reply", False, actor_name="cli")
    desk.settings.note_prefix, desk.settings.assign_on_reply = "//", True  # as the env says
    await desk.restart()

    assert desk.core.live_settings.note_prefix == "#note"
    assert desk.core.live_settings.assign_on_reply is False
    thread = await open_conversation(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "#note keep this inside", thread_id=thread)
    await desk.settle()
    assert desk.customer_sees(CUSTOMER) == []


async def test_the_default_language_applies_to_customers_who_do_not_tell_theirs(
    desk: Desk, browser: PanelClient
) -> None:
    await as_admin(browser)
    await browser.get("/admin/settings")
    status, _ = await browser.post("/admin/settings", settings_form(default_language="uk"))
    assert status == 200

    thread = await open_conversation(desk, language=None)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()
    assert "закрито" in desk.customer_sees(CUSTOMER)[-2]["text"]


async def test_without_assign_on_reply_an_answer_leaves_the_conversation_in_the_queue(
    desk: Desk, browser: PanelClient
) -> None:
    await hire("default", "Olga", telegram=OLGA, status="busy")
    thread = await open_conversation(desk)
    await as_admin(browser)
    await browser.get("/admin/settings")
    form = settings_form()
    del form["assign_on_reply"]  # an unticked checkbox is not sent
    status, html = await browser.post("/admin/settings", form)
    assert status == 200 and "assign_on_reply" in html and "checked" not in html

    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "Hello, Ivan!", thread_id=thread)
    await desk.settle()
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["Hello, Ivan!"]
    assert (await Conversation.get()).assignee_id is None


async def test_an_invalid_setting_is_shown_next_to_its_field_and_nothing_is_saved(
    desk: Desk, browser: PanelClient
) -> None:
    await as_admin(browser)
    await browser.get("/admin/settings")
    status, html = await browser.post(
        "/admin/settings", settings_form(note_prefix="note", default_language="de")
    )
    assert status == 400
    assert 'id="note_prefix-error"' in html and "must start with a sign" in html
    assert 'id="default_language-error"' in html and "en, ru, uk" in html
    assert 'value="note"' in html  # kept as typed

    status, html = await browser.post("/admin/settings", settings_form(note_prefix="a b"))
    assert status == 400 and "without spaces" in html
    live = desk.core.live_settings
    assert live.note_prefix == "//" and live.default_language == "en"
    assert not await Setting.exists()
    assert not await AuditEntry.filter(action="setting.changed").exists()


async def test_the_settings_page_speaks_the_admins_language(
    desk: Desk, browser: PanelClient
) -> None:
    await make_account("olha", language="uk")
    await browser.sign_in("olha")
    await browser.get("/admin/settings")
    status, html = await browser.post("/admin/settings", settings_form(note_prefix="note"))
    assert status == 400 and "Префікс" in html and "має починатися" in html


async def test_supervisors_and_operators_get_403_on_settings_and_audit(
    desk: Desk, browser: PanelClient
) -> None:
    olga = await hire("default", "Olga", telegram=OLGA)
    for name, role in (("sveta", "supervisor"), ("oleg", "operator")):
        await make_account(name, role, operator=olga)
        client = PanelClient(desk.url)
        try:
            await client.sign_in(name)
            for path in ("/admin/settings", "/admin/audit", "/admin/audit?action=line."):
                status, html = await client.get(path)
                assert status == 403 and "You may not open this page" in html, (role, path)
            status, _ = await client.post("/admin/settings", settings_form(note_prefix="##"))
            assert status == 403
        finally:
            await client.close()
    assert desk.core.live_settings.note_prefix == "//" and not await Setting.exists()


async def test_the_settings_form_without_its_csrf_token_is_refused(
    desk: Desk, browser: PanelClient
) -> None:
    await as_admin(browser)
    await browser.get("/admin/settings")
    status, html = await browser.post(
        "/admin/settings", settings_form(note_prefix="##"), csrf=False
    )
    assert status == 403 and "form has expired" in html
    assert desk.core.live_settings.note_prefix == "//"


async def test_the_audit_log_shows_who_did_what_and_when_newest_first_with_filters(
    desk: Desk, browser: PanelClient
) -> None:
    await open_conversation(desk)
    conversation = await Conversation.get()
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    await audit.record("topic", at=at, actor_name="Olga", conversation=conversation, new="Billing")
    await audit.record("line.updated", at=at + timedelta(minutes=1), actor_name="cli", new="name")
    await audit.record(
        "setting.changed", at=at + timedelta(minutes=2), actor_name=HOSTILE, old="//", new=HOSTILE
    )
    await as_admin(browser)

    status, html = await browser.get("/admin/audit")
    assert status == 200
    assert html.index("setting.changed") < html.index("line.updated") < html.index(">topic<")
    assert ESCAPED in html and HOSTILE not in html
    assert f'href="/admin/conversations/{conversation.id}"' in html
    assert "2026-03-01 12:00:00" in html and "Billing" in html

    status, html = await browser.get("/admin/audit?action=line.")
    assert "line.updated" in html and "setting.changed" not in html and ">topic<" not in html
    status, html = await browser.get("/admin/audit?actor=olg")
    assert ">topic<" in html and "line.updated" not in html


async def test_the_audit_log_has_fifty_entries_a_page(desk: Desk, browser: PanelClient) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for number in range(120):
        await audit.record(
            "member.added", at=start + timedelta(minutes=number), actor_name=f"robot {number:03}"
        )
    await as_admin(browser)

    status, html = await browser.get("/admin/audit?action=member.")
    assert html.count("member.added") == 50 and "robot 119" in html and "robot 070" in html
    assert "robot 069" not in html and 'href="/admin/audit?action=member.&amp;page=2"' in html
    status, html = await browser.get("/admin/audit?action=member.&page=3")
    assert html.count("member.added") == 20 and "robot 000" in html and "page=4" not in html
    assert 'href="/admin/audit?action=member.&amp;page=2"' in html
    status, html = await browser.get("/admin/audit?page=nonsense")
    assert status == 200 and "robot 119" in html
