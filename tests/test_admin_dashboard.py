"""The dashboard: queues with wait times, operators with status and load, open
conversations, each viewer seeing only their part; the live part reloads by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.models import Line, Operator
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import configure, hire

OLGA = 1001
IVAN, EVIL = 5001, 5002


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def _customers_write(desk: Desk) -> None:
    desk.fake.add_user(IVAN, "Ivan")
    desk.fake.add_user(EVIL, "<script>alert(1)</script>")
    desk.fake.user_sends(IVAN, "Hello")  # first: conversation #1
    await desk.settle()
    desk.fake.user_sends(EVIL, "Hi")
    await desk.settle()


async def test_the_admin_sees_the_queue_the_operators_and_open_conversations(
    desk: Desk, browser: PanelClient
) -> None:
    await configure("default", routing_policy="manual")
    olga = await hire("default", "Olga", telegram=OLGA, capacity=4)
    await _customers_write(desk)
    topic = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/take", thread_id=topic)
    await desk.settle()
    desk.clock.advance(minutes=7)
    await make_account("boss")

    await browser.sign_in("boss")
    status, html = await browser.get("/admin/dashboard/live")

    assert status == 200 and "<html" not in html  # a fragment for the page to swap in
    assert "#2 &lt;script&gt;alert(1)&lt;/script&gt;" in html and "waiting 7 min" in html
    assert "<script>alert" not in html
    assert "Olga" in html and "1 / 4" in html and "status-free" in html
    assert "#1 Ivan" in html
    assert olga.id


async def test_a_supervisor_sees_only_their_lines(desk: Desk, browser: PanelClient) -> None:
    await Line.create(
        slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-100777"
    )
    await _customers_write(desk)
    anna = await hire("sales", "Anna", telegram=3003)
    await make_account("anna", role="supervisor", operator=anna)

    await browser.sign_in("anna")
    _, html = await browser.get("/admin/")

    assert "Sales" in html and "Default line" not in html and "Ivan" not in html


async def test_an_operator_sees_their_own_conversations_only(
    desk: Desk, browser: PanelClient
) -> None:
    await hire("default", "Olga", telegram=OLGA)
    await hire("default", "Petro", telegram=1002)
    await _customers_write(desk)
    olga = await Operator.get(telegram_user_id=OLGA)
    await make_account("olga", role="operator", operator=olga)

    await browser.sign_in("olga")
    _, html = await browser.get("/admin/")

    shown = html.count("/admin/conversations/")
    assert shown == 1 and "Petro" not in html  # one of the two went to Olga, one to Petro
