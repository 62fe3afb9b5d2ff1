"""The list of quick replies in the admin panel, and who may read and change which replies:
admins all, supervisors their lines' and their own, operators none."""

from __future__ import annotations

from storage.models import AuditEntry, Line, Operator, QuickReply
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import (
    PETRO,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
)
from tests.fakes.admin_data import as_seen as _seen
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import reply_form as _form
from tests.fakes.admin_data import supervisor_signed_in as _supervisor
from tests.fakes.desk import Desk
from tests.fakes.staff import hire


async def _sales() -> Line:
    return await Line.create(
        slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1009"
    )


# --- the list --------------------------------------------------------------------------------


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


# --- roles -----------------------------------------------------------------------------------


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
