"""`relaydesk run` serves its admin panel before Telegram is connected: the Telegram bridge
(aiogram takes seconds to import) loads and connects in the background, /healthz says
Telegram is starting meanwhile, and what customers wrote in the meantime is relayed once it
is connected.

The desk runs as its own process, as an operator starts it; the bound on serving is generous
(tests/benchmarks/start.py measures how fast it really is)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from tests.fakes.desk import OPERATOR_CHAT, shown_texts
from tests.fakes.outage import nobody_listens
from tests.fakes.process import RelaydeskProcess
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waiting import eventually, health

SERVES_WITHIN = 10.0
RELAYED_WITHIN = 60.0
IVAN = 5001


async def sign_in_form_shown(desk: RelaydeskProcess) -> bool:
    """The panel's sign-in page answers with its form (False while nothing answers)."""
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{desk.url}/admin/login") as page,
        ):
            return page.status == 200 and 'name="password"' in await page.text()
    except aiohttp.ClientError:
        return False


def shown_in_topic(fake: FakeTelegram, user: int) -> list[str]:
    """The customer's texts as operators read them (the first comes with the card)."""
    return [
        text
        for topic in fake.topics(OPERATOR_CHAT)
        if f"Ivan{user}" in topic["name"]
        for m in fake.chat_messages(OPERATOR_CHAT, topic["message_thread_id"])
        for text in shown_texts(m)
    ]


@pytest.mark.timeout(180)
async def test_the_panel_serves_while_telegram_is_slow_and_what_customers_wrote_is_relayed(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    fake = fake_telegram
    fake.answer_delay = 3.0  # the Bot API takes 3 s to answer anything
    fake.add_user(IVAN, f"Ivan{IVAN}")
    desk = RelaydeskProcess(fake, database_url, tmp_path)
    try:
        await desk.spawn()
        await eventually(lambda: sign_in_form_shown(desk), within=SERVES_WITHIN)
        status, body = await health(desk.url)
        assert status == 200 and body["ok"] is False
        assert body["components"]["telegram"] == "starting"

        fake.user_sends(IVAN, "Hello, is anyone there?")  # while the desk connects
        await eventually(lambda: bool(fake.calls_to("getMe")), within=RELAYED_WITHIN)
        fake.answer_delay = 0.0  # the call in flight still takes its 3 s
        await eventually(lambda: _telegram_up(desk), within=RELAYED_WITHIN)
        fake.user_sends(IVAN, "My order did not come")  # once it is connected

        expected = ["Hello, is anyone there?", "My order did not come"]
        await eventually(lambda: shown_in_topic(fake, IVAN) == expected, within=RELAYED_WITHIN)
        # Once its bridges were loaded, what start-up built is left out of garbage
        # collection (relaydesk/heap.py).
        assert "objects of start-up set aside from garbage collection" in desk.output(tail=10**7)
    finally:
        await desk.stop()


@pytest.mark.timeout(180)
async def test_the_panel_serves_while_telegram_cannot_be_reached_and_telegram_comes_up_later(
    database_url: str, tmp_path: Path
) -> None:
    port, url = nobody_listens()
    fake = FakeTelegram(port=port)
    desk = RelaydeskProcess(fake, database_url, tmp_path)
    desk.env["RELAYDESK_TELEGRAM_API_URL"] = url
    desk.env["RELAYDESK_RECONNECT_FIRST_SECONDS"] = "0.2"
    desk.env["RELAYDESK_RECONNECT_MAX_SECONDS"] = "1"
    try:
        await desk.spawn()
        await eventually(lambda: sign_in_form_shown(desk), within=SERVES_WITHIN)
        status, body = await health(desk.url)
        assert status == 200 and body["ok"] is False
        assert body["components"]["telegram"].split(":")[0] in ("starting", "down")

        await fake.start()
        fake.add_forum(OPERATOR_CHAT, "Support")
        fake.add_user(IVAN, f"Ivan{IVAN}")
        fake.user_sends(IVAN, "Hello, is anyone there?")
        await eventually(lambda: _telegram_up(desk), within=RELAYED_WITHIN)
        await eventually(
            lambda: shown_in_topic(fake, IVAN) == ["Hello, is anyone there?"],
            within=RELAYED_WITHIN,
        )
    finally:
        await desk.stop()
        await fake.close()


async def _telegram_up(desk: RelaydeskProcess) -> bool:
    _, body = await health(desk.url)
    return body["components"].get("telegram") == "up"
