"""Quick replies in the admin panel: what is written there is what `/q` offers in the chats."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.directory.quick_replies import save_quick_reply
from storage.models import AuditEntry, Line, Operator, QuickReply
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import hire
from tests.fakes.workspaces import Workspace

CUSTOMER = 5001
OLGA, PETRO = 1001, 1002


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def _admin(browser: PanelClient) -> None:
    await make_account("boss")
    status, _ = await browser.sign_in("boss")
    assert status == 200


async def _supervisor(browser: PanelClient) -> Operator:
    """Olga supervises the default line; she has no say over the "sales" line."""
    olga = await hire("default", "Olga", telegram=OLGA)
    await make_account("olga", role="supervisor", operator=olga)
    await browser.sign_in("olga")
    return olga


async def _sales() -> Line:
    return await Line.create(
        slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1009"
    )


def _form(name: str, scope: str = "global", **fields: str) -> dict[str, str]:
    form = {"name": name, "scope": scope, "text_en": "", "text_ru": "", "text_uk": ""}
    return form | fields


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def _row(page: str, name: str) -> list[str]:
    """The cells of the list's row of `/q name`, as text."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [
            _seen(re.sub(r"<[^>]+>", " ", c)) for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        if cells and cells[0].startswith(f"/q {name}"):
            return cells
    raise AssertionError(f"no row for /q {name}")


def _seen(html: str) -> str:
    """The page as a reader sees it: entities decoded, whitespace collapsed."""
    return " ".join(htmllib.unescape(html).split())


# --- the panel and /q -------------------------------------------------------------------------


async def test_a_quick_reply_created_in_the_panel_is_what_q_offers_in_the_telegram_topic(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    status, page = await browser.post(
        "/admin/quick-replies",
        _form(
            "hello",
            text_en="Hello {customer_name}, {operator_name} here.",
            text_ru="Здравствуйте, {customer_name}!",
        ),
    )
    assert status == 200 and "The quick reply was saved" in page

    desk.fake.add_user(CUSTOMER, "Ivan", language_code="en")
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/q", thread_id=thread)
    await desk.settle()
    card = desk.topic_messages("Ivan")[-1]

    assert card["text"] == "Quick replies"
    assert list(_buttons(card)) == ["hello"]

    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, _buttons(card)["hello"])
    await desk.settle()
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["Hello Ivan, Olga here."]

    _, page = await browser.get("/admin/quick-replies")
    shortcut, scope, texts, sent = _row(page, "hello")
    assert scope == "Everyone (global)" and sent == "1"
    assert (
        texts == "en Hello {customer_name}, {operator_name} here. ru Здравствуйте, {customer_name}!"
    )


async def test_a_reply_written_in_the_panel_is_sent_by_name_in_telegram_and_in_slack(
    workspace: Workspace,
) -> None:
    desk = workspace.desk
    browser = PanelClient(desk.url)
    try:
        await _admin(browser)
        await browser.post(
            "/admin/quick-replies", _form("thanks", text_en="Thanks, {customer_name}!")
        )
    finally:
        await browser.close()
    desk.fake.add_user(CUSTOMER, "Ivan", language_code="en")
    desk.fake.user_sends(CUSTOMER, "Thank you")
    await desk.settle()

    await workspace.say(workspace.thread(), "!q thanks")
    await desk.settle()

    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["Thanks, Ivan!"]


# --- the list ---------------------------------------------------------------------------------


async def test_the_list_finds_replies_by_shortcut_or_words_and_filters_by_scope_and_line(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    default, sales = await Line.get(slug="default"), await _sales()
    maria = await Operator.create(name="Maria", telegram_user_id=1003)
    await QuickReply.create(name="refund", texts={"en": "Refunds take five days."}, usage_count=7)
    await QuickReply.create(
        name="delivery", scope="line", line=sales, texts={"ru": "Доставка занимает два дня."}
    )
    await QuickReply.create(
        name="hours", scope="line", line=default, texts={"en": "We work 9 to 18."}
    )
    await QuickReply.create(name="sign", scope="personal", operator=maria, texts={"en": "Maria"})

    _, page = await browser.get("/admin/quick-replies")
    seen = _seen(page)
    assert [n for n in ("/q delivery", "/q hours", "/q refund", "/q sign") if n in seen] == [
        "/q delivery",
        "/q hours",
        "/q refund",
        "/q sign",
    ]
    assert "Line: Sales" in seen and "Personal: Maria" in seen and "Доставка" in seen

    _, page = await browser.get("/admin/quick-replies?q=FIVE+days")
    assert "/q refund" in page and "/q delivery" not in page

    _, page = await browser.get("/admin/quick-replies?q=доставка")
    assert "/q delivery" in page and "/q refund" not in page

    _, page = await browser.get(f"/admin/quick-replies?scope=line&line={sales.id}")
    assert "/q delivery" in page and "/q hours" not in page and "/q refund" not in page

    _, page = await browser.get("/admin/quick-replies?q=warranty")
    assert "No quick reply matches these filters." in page


async def test_a_hostile_text_is_shown_escaped_in_the_list_and_in_the_form(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    await browser.post(
        "/admin/quick-replies", _form("bold", text_en="<b>x</b> <script>alert(1)</script>")
    )
    reply = await QuickReply.get(name="bold")
    assert reply.texts == {"en": "<b>x</b> <script>alert(1)</script>"}

    _, page = await browser.get("/admin/quick-replies")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    _, page = await browser.get(f"/admin/quick-replies/{reply.id}")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "<script>alert(1)" not in page


# --- the form ---------------------------------------------------------------------------------


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


# --- roles ------------------------------------------------------------------------------------


async def test_a_supervisor_manages_their_lines_and_own_replies_and_reads_global_ones(
    desk: Desk, browser: PanelClient
) -> None:
    olga = await _supervisor(browser)
    default, sales = await Line.get(slug="default"), await _sales()
    petro = await Operator.create(name="Petro", telegram_user_id=PETRO)
    desk_wide = await QuickReply.create(name="hello", texts={"en": "Hello from the desk."})
    ours = await QuickReply.create(name="hours", scope="line", line=default, texts={"en": "9-18"})
    theirs = await QuickReply.create(name="deal", scope="line", line=sales, texts={"en": "Deal"})
    petros = await QuickReply.create(
        name="sign", scope="personal", operator=petro, texts={"en": "Petro"}
    )

    _, page = await browser.get("/admin/quick-replies")
    assert "/q hello" in page and "/q hours" in page
    assert "/q deal" not in page and "/q sign" not in page
    assert "Sales" not in page  # not even in the line filter

    status, page = await browser.get(f"/admin/quick-replies/{desk_wide.id}")
    assert status == 200 and "Global quick replies are changed by administrators" in page
    assert "Save the quick reply" not in page and "Delete the quick reply" not in page
    refused = [
        await browser.post(f"/admin/quick-replies/{desk_wide.id}", _form("hello", text_en="X")),
        await browser.post(f"/admin/quick-replies/{desk_wide.id}/delete"),
        await browser.get(f"/admin/quick-replies/{theirs.id}"),
        await browser.post(f"/admin/quick-replies/{theirs.id}/delete"),
        await browser.get(f"/admin/quick-replies/{petros.id}"),
        await browser.post("/admin/quick-replies", _form("new", text_en="X")),
        await browser.post(
            "/admin/quick-replies", _form("new", scope="line", line=str(sales.id), text_en="X")
        ),
        await browser.post(
            f"/admin/quick-replies/{ours.id}",
            _form("hours", scope="line", line=str(sales.id), text_en="X"),
        ),
    ]
    assert [status for status, _ in refused] == [403] * len(refused)
    assert (
        await QuickReply.all().count() == 4
        and (await QuickReply.get(id=ours.id)).line_id == default.id
    )  # type: ignore[attr-defined]

    status, _ = await browser.post(
        f"/admin/quick-replies/{ours.id}",
        _form("hours", scope="line", line=str(default.id), text_en="We work 9 to 18."),
    )
    assert status == 200
    assert (await QuickReply.get(id=ours.id)).texts == {"en": "We work 9 to 18."}

    status, _ = await browser.post(  # a personal reply is always her own
        "/admin/quick-replies",
        _form("mine", scope="personal", operator=str(petro.id), text_en="Olga here."),
    )
    mine = await QuickReply.get(name="mine")
    assert status == 200 and (mine.scope, mine.operator_id) == ("personal", olga.id)  # type: ignore[attr-defined]
    entry = await AuditEntry.get(action="quick_reply.created")
    assert (entry.actor_id, entry.actor_name) == (olga.id, "web:olga")  # type: ignore[attr-defined]

    status, _ = await browser.post(f"/admin/quick-replies/{mine.id}/delete")
    assert status == 200 and not await QuickReply.exists(id=mine.id)


async def test_operators_use_q_in_their_chat_and_may_not_open_these_pages(
    desk: Desk, browser: PanelClient
) -> None:
    petro = await hire("default", "Petro", telegram=PETRO)
    await make_account("petro", role="operator", operator=petro)
    await browser.sign_in("petro")
    mine = await QuickReply.create(name="sign", scope="personal", operator=petro, texts={"en": "P"})

    _, page = await browser.get("/admin/")
    assert "/admin/quick-replies" not in page
    for path in (
        "/admin/quick-replies",
        "/admin/quick-replies/new",
        f"/admin/quick-replies/{mine.id}",
    ):
        assert (await browser.get(path))[0] == 403, path
    for path in (
        "/admin/quick-replies",
        f"/admin/quick-replies/{mine.id}",
        f"/admin/quick-replies/{mine.id}/delete",
        "/admin/quick-replies/preview",
    ):
        status, _ = await browser.post(path, _form("sign", scope="personal", text_en="X"))
        assert status == 403, path
    assert (await QuickReply.get(id=mine.id)).texts == {"en": "P"}


async def test_the_pages_speak_the_accounts_language(desk: Desk, browser: PanelClient) -> None:
    await make_account("olena", language="uk")
    await browser.sign_in("olena")
    status, page = await browser.get("/admin/quick-replies/new")
    assert status == 200 and "Нова швидка відповідь" in page


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
