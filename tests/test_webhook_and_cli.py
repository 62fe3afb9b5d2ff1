"""Webhook mode, `relaydesk check`, and starting with missing settings or migrations."""

from __future__ import annotations

import aiohttp
import pytest

from bot.base.settings import Settings
from bridges.telegram.check import check
from relaydesk.app import UnmigratedDatabase, prepare_database
from storage import db
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5001


def _settings(fake: FakeTelegram, **values) -> Settings:
    base = {
        "telegram_token": fake.token,
        "telegram_api_url": fake.base_url,
        "telegram_operator_chat_id": OPERATOR_CHAT,
    }
    return Settings(_env_file=None, **(base | values))


async def test_webhook_mode_receives_updates_and_checks_the_secret(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = Desk(
        fake_telegram, database_url, telegram_mode="webhook", telegram_webhook_secret="s3cret"
    )
    desk.settings.telegram_webhook_url = f"{desk.url}/telegram/webhook"
    await desk.start()
    try:
        fake_telegram.add_user(CUSTOMER, "Ivan")
        fake_telegram.user_sends(CUSTOMER, "via webhook")
        await fake_telegram.wait_idle()
        await desk.settle()
        assert desk.topic_texts("Ivan")[-1] == "via webhook"

        async with aiohttp.ClientSession() as http:
            forged = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1, "type": "private"},
                    "text": "x",
                },
            }
            async with http.post(
                f"{desk.url}/telegram/webhook",
                json=forged,
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            ) as response:
                assert response.status == 401
            async with http.post(f"{desk.url}/telegram/webhook", json=forged) as response:
                assert response.status == 401
    finally:
        await desk.stop()


async def test_check_reports_a_healthy_setup(fake_telegram: FakeTelegram) -> None:
    findings = await check(_settings(fake_telegram))
    assert all(ok for ok, _ in findings), findings
    assert any("is a forum" in text for _, text in findings)


async def test_check_says_what_to_fix(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_forum(-1009, "Plain group", is_forum=False, bot_status="member")
    findings = await check(_settings(fake_telegram, telegram_operator_chat_id=-1009))
    problems = [text for ok, text in findings if not ok]
    assert any("turn on Topics" in p for p in problems)
    assert any("make it an admin" in p for p in problems)

    findings = await check(_settings(fake_telegram, telegram_token="999:WRONG"))
    assert findings[0][0] is False and "refused the token" in findings[0][1]

    findings = await check(Settings(_env_file=None))
    assert "RELAYDESK_TELEGRAM_TOKEN is not set" in findings[0][1]


async def test_run_without_a_token_still_serves_and_says_what_is_missing(
    database_url: str, caplog
) -> None:
    from tests.fakes.telegram import FakeTelegram as _Fake

    desk = Desk(_Fake(), database_url, telegram_token=None)
    await desk.start()
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{desk.url}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["workspaces"] == []
        assert "RELAYDESK_TELEGRAM_TOKEN" in caplog.text
    finally:
        await desk.stop()


async def test_without_auto_migrate_an_unmigrated_database_is_refused(
    unmigrated_database_url: str,
) -> None:
    settings = Settings(_env_file=None, database_url=unmigrated_database_url, auto_migrate=False)
    with pytest.raises(UnmigratedDatabase, match="relaydesk migrate"):
        await prepare_database(settings)
    assert await db.apply_migrations(unmigrated_database_url)
    await prepare_database(settings)


async def test_a_malformed_webhook_body_gets_a_4xx_and_changes_nothing(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = Desk(fake_telegram, database_url, telegram_mode="webhook", telegram_webhook_secret="s3")
    desk.settings.telegram_webhook_url = f"{desk.url}/telegram/webhook"
    await desk.start()
    try:
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3"}
        async with aiohttp.ClientSession() as http:
            for body in (b"{not json", b'{"update_id": "x"}', b"[]"):
                async with http.post(
                    f"{desk.url}/telegram/webhook", data=body, headers=headers
                ) as response:
                    assert 400 <= response.status < 500, (body, response.status)
                    assert "Traceback" not in await response.text()
    finally:
        await desk.stop()
