"""The quick reply form in the admin panel: validation, editing, deleting, the preview of the
placeholders — every change audited, by the panel or by the file import."""

from __future__ import annotations

from bot.directory.quick_replies import save_quick_reply
from storage.models import AuditEntry, Line, Operator, QuickReply
from tests.fakes.admin import PanelClient
from tests.fakes.admin_data import as_seen as _seen
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import browser_fixture  # noqa: F401 (the "browser" fixture)
from tests.fakes.admin_data import reply_form as _form
from tests.fakes.admin_data import supervisor_signed_in as _supervisor
from tests.fakes.desk import Desk

# --- the form --------------------------------------------------------------------------------


async def test_an_invalid_form_shows_every_problem_next_to_its_field_and_saves_nothing(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)

    status, page = await browser.post("/admin/quick-replies", _form("two words", scope="line"))
    seen = _seen(page)
    assert status == 400
    assert "One word of letters, digits, - and _, without spaces" in seen
    assert "Choose the line." in seen
    assert "Write the text in at least one language." in seen
    assert 'value="two words"' in page  # what was typed is kept

    status, page = await browser.post("/admin/quick-replies", _form("", text_en="Hi"))
    assert status == 400 and "One word of letters" in page

    status, page = await browser.post(
        "/admin/quick-replies", _form("mine", scope="personal", text_en="Hi")
    )
    assert status == 400 and "Choose the operator." in page
    assert await QuickReply.all().count() == 0

    await browser.post("/admin/quick-replies", _form("hello", text_en="Hello."))
    status, page = await browser.post("/admin/quick-replies", _form("HELLO", text_uk="Привіт."))
    assert status == 400
    assert "There is already a quick reply with this shortcut here." in page
    assert [r.texts for r in await QuickReply.all()] == [{"en": "Hello."}]

    default = await Line.get(slug="default")  # the same name in a line is another reply
    status, _ = await browser.post(
        "/admin/quick-replies", _form("hello", scope="line", line=str(default.id), text_en="Hi.")
    )
    assert status == 200 and await QuickReply.filter(name="hello").count() == 2


async def test_an_admin_edits_a_reply_moves_it_to_an_operator_and_deletes_it_all_audited(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    maria = await Operator.create(name="Maria", telegram_user_id=1003)
    reply = await QuickReply.create(name="hello", texts={"en": "Hello."}, usage_count=3)

    status, page = await browser.get(f"/admin/quick-replies/{reply.id}")
    assert status == 200 and "Times sent: 3" in page and "Hello." in page

    status, page = await browser.post(
        f"/admin/quick-replies/{reply.id}",
        _form(
            "greeting", scope="personal", operator=str(maria.id), text_en="Hi!", text_uk="Привіт!"
        ),
    )
    assert status == 200 and "The quick reply was saved" in page and "/q greeting" in page
    await reply.refresh_from_db()
    assert (reply.name, reply.scope, reply.operator_id, reply.texts) == (  # type: ignore[attr-defined]
        "greeting",
        "personal",
        maria.id,
        {"en": "Hi!", "uk": "Привіт!"},
    )
    assert reply.usage_count == 3

    status, page = await browser.post(f"/admin/quick-replies/{reply.id}/delete")
    assert status == 200 and "The quick reply was deleted." in page
    assert not await QuickReply.exists(id=reply.id)

    entries = await AuditEntry.filter(action__startswith="quick_reply.").order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("quick_reply.updated", "web:boss"),
        ("quick_reply.removed", "web:boss"),
    ]
    assert entries[0].details["changes"]["name"] == ["hello", "greeting"]
    assert entries[1].old_value == "greeting"


async def test_unknown_replies_are_not_found(desk: Desk, browser: PanelClient) -> None:
    await _admin(browser)
    for path in ("/admin/quick-replies/999", "/admin/quick-replies/99999999999999999999"):
        assert (await browser.get(path))[0] == 404
    assert (await browser.post("/admin/quick-replies/999", _form("x", text_en="x")))[0] == 404
    assert (await browser.post("/admin/quick-replies/999/delete"))[0] == 404


async def test_the_preview_fills_the_placeholders_as_the_bot_does(
    desk: Desk, browser: PanelClient
) -> None:
    await _supervisor(browser)
    status, page = await browser.get("/admin/quick-replies/new")
    assert status == 200 and "{customer_name}" in page
    assert "textContent" in page and "innerHTML" not in page

    text = "Hi {customer_name}, {operator_name} (#{conversation_number}) {sic} <b>"
    async with browser.session.post(
        desk.url + "/admin/quick-replies/preview",
        data={"text": text},
        headers={"X-CSRF-Token": browser.csrf, "X-Requested-With": "fetch"},
    ) as response:
        assert response.status == 200
        assert await response.json() == {"text": "Hi Ivan Petrenko, Olga (#42) {sic} <b>"}

    async with browser.session.post(
        desk.url + "/admin/quick-replies/preview",
        data={"text": text},
        headers={"X-Requested-With": "fetch"},
    ) as response:
        assert response.status == 403

    reply = await QuickReply.create(name="hi", texts={"uk": "Вітаю, {customer_name}! <i>"})
    _, page = await browser.get(f"/admin/quick-replies/{reply.id}")
    assert "Вітаю, Ivan Petrenko! &lt;i&gt;</div>" in page


async def test_a_form_without_its_csrf_token_changes_nothing(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    reply = await QuickReply.create(name="hello", texts={"en": "Hello."})
    await browser.get("/admin/quick-replies")

    status, page = await browser.post(
        "/admin/quick-replies", _form("new", text_en="New."), csrf=False
    )
    assert status == 403 and "form has expired" in page
    status, _ = await browser.post(
        f"/admin/quick-replies/{reply.id}", _form("changed", text_en="Changed."), csrf=False
    )
    assert status == 403
    status, _ = await browser.post(f"/admin/quick-replies/{reply.id}/delete", {"csrf_token": "x"})
    assert status == 403
    assert [(r.name, r.texts) for r in await QuickReply.all()] == [("hello", {"en": "Hello."})]


async def test_a_reply_saved_by_the_file_import_is_audited_like_one_saved_in_the_panel(
    desk: Desk,
) -> None:
    values = {"name": "hello", "texts": {"en": "Hello."}}
    assert (await save_quick_reply(values))[1] == "created"
    assert (await save_quick_reply(values))[1] == "unchanged"
    assert (await save_quick_reply(values | {"texts": {"en": "Hi."}}))[1] == "updated"

    entries = await AuditEntry.filter(action__startswith="quick_reply.").order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("quick_reply.created", "cli"),
        ("quick_reply.updated", "cli"),
    ]
    assert entries[1].details["changes"] == {"texts": [{"en": "Hello."}, {"en": "Hi."}]}
