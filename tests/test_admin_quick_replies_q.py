"""Quick replies in the admin panel: what is written there is what `/q` offers in the chats."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.admin import PanelClient
from tests.fakes.admin_data import (
    CUSTOMER,
    OLGA,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
)
from tests.fakes.admin_data import as_seen as _seen
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import reply_form as _form
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.workspaces import Workspace


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


# --- the panel and /q ------------------------------------------------------------------------


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
