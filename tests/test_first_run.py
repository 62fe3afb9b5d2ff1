"""A first run guides: the log names the admin panel's address and, while nobody can sign in,
the command that creates the first account; an empty panel says what is connected and what
is missing, in the words of `relaydesk check` and in the reader's language."""

from __future__ import annotations

import logging

from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import Desk
from tests.fakes.telegram import FakeTelegram


async def test_the_start_log_names_the_panel_and_how_to_create_the_first_account(
    fake_telegram: FakeTelegram, database_url: str, caplog
) -> None:
    caplog.set_level(logging.INFO)
    desk = await Desk(fake_telegram, database_url).start()
    try:
        assert f"Admin panel: {desk.url}/admin/" in caplog.text
        assert "create the first one with `relaydesk create-admin NAME`" in caplog.text

        await make_account("boss")
        caplog.clear()
        await desk.restart()
        assert f"Admin panel: {desk.url}/admin/" in caplog.text
        assert "create-admin" not in caplog.text
    finally:
        await desk.stop()


async def test_an_empty_panel_says_what_is_connected_and_what_is_missing(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = await Desk(fake_telegram, database_url, telegram_operator_chat_id=None).start()
    browser = PanelClient(desk.url)
    try:
        await make_account("boss")
        await make_account("olena", language="uk")

        await browser.sign_in("boss")
        status, html = await browser.get("/admin/")
        assert status == 200
        assert "Getting connected" in html
        assert "✔ The token works: the bot is @relaydesk_bot (id 123456)." in html
        assert "✘ RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID is not set: create a supergroup" in html

        await browser.post("/admin/logout")
        await browser.sign_in("olena")
        status, html = await browser.get("/admin/dashboard/live")
        assert status == 200
        assert "✔ Токен працює: бот — @relaydesk_bot (id 123456)." in html
        assert "✘ RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID не задано: створіть супергрупу" in html
    finally:
        await browser.close()
        await desk.stop()


async def test_a_panel_with_a_working_line_shows_no_setup_list(
    desk: Desk, database_url: str
) -> None:
    browser = PanelClient(desk.url)
    try:
        await make_account("boss")
        await browser.sign_in("boss")
        status, html = await browser.get("/admin/")
        assert status == 200 and "Getting connected" not in html
    finally:
        await browser.close()
