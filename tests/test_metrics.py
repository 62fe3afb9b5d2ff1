"""`/metrics` as a Prometheus scrape reads it: what a customer's message and an operator's
answer count, what 429s, retries and a dead delivery count, and who may read it."""

from __future__ import annotations

import aiohttp
import pytest

from bot.base.metrics_access import refusal
from bot.base.settings import Settings
from bot.directory.configured_lines import DEFAULT_LINE
from bot.reports import live_gauges
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.outage import come_back, go_away
from tests.fakes.scrape import scrape, value
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.fakes.waiting import eventually, health
from tests.fakes.workspaces import Workspace

CUSTOMER = 5001
TARGET_KINDS = ("thread", "customer", "confirm", "line", "header")
LATENCY = "relaydesk_delivery_latency_seconds"
CONVERSATIONS = "relaydesk_open_conversations"
QUICK_RETRIES = {"reconnect_first_seconds": 0.05, "reconnect_max_seconds": 0.3}


async def _conversation(desk: Desk) -> int:
    """Ivan writes, Olga answers in the topic; returns the topic."""
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "My parcel is late")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "Let me look", thread_id=thread)
    await desk.settle()
    return thread


async def test_a_message_and_its_answer_as_the_metrics_tell_them(workspace: Workspace) -> None:
    desk = workspace.desk
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "My parcel is late")
    await desk.settle()
    await workspace.say(workspace.thread(), "Let me look")
    await desk.settle()
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["Let me look"]

    samples = await scrape(desk.url)

    handled = "relaydesk_updates_handled_total"
    kind = desk.core.default_line.workspace_kind  # type: ignore[union-attr]
    assert value(samples, handled, side="customer", messenger="telegram") == 1
    assert value(samples, handled, side="workspace", messenger=kind) == 1
    for target_kind in TARGET_KINDS:  # everything went: the queue is empty again
        assert value(samples, "relaydesk_outbox_pending", target_kind=target_kind) == 0
    assert value(samples, CONVERSATIONS, line=DEFAULT_LINE, status="open") == 1
    assert value(samples, CONVERSATIONS, line=DEFAULT_LINE, status="queued") == 0
    # The answer went to the customer once; the thread got its card (with the text) and more.
    assert value(samples, f"{LATENCY}_count", target_kind="customer") == 1
    assert value(samples, f"{LATENCY}_count", target_kind="thread") >= 1
    assert value(samples, f"{LATENCY}_bucket", target_kind="customer", le="+Inf") == 1
    assert value(samples, f"{LATENCY}_sum", target_kind="customer") < 10
    assert not [s for s in samples if s[0].startswith("relaydesk_deliveries_dead")]
    assert not [s for s in samples if s[0].startswith("relaydesk_delivery_rate_limited")]


async def test_a_closed_conversation_leaves_the_open_ones(desk: Desk) -> None:
    thread = await _conversation(desk)
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "/close solved", thread_id=thread)
    await desk.settle()

    samples = await scrape(desk.url)

    for status in ("queued", "open", "snoozed"):
        assert value(samples, CONVERSATIONS, line=DEFAULT_LINE, status=status) == 0
    assert (
        value(samples, "relaydesk_updates_handled_total", side="workspace", messenger="telegram")
        == 2
    )


async def test_429s_retries_and_a_dead_delivery_are_counted(desk: Desk) -> None:
    thread = await _conversation(desk)
    desk.fake.fail_next("copyMessage", status=429, retry_after=1)
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "One moment", thread_id=thread)
    await desk.settle()
    desk.fake.fail_next("copyMessage", status=502, description="Bad Gateway")
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "Found it", thread_id=thread)
    await desk.settle()
    desk.fake.block_bot(CUSTOMER)
    desk.expect_dead_deliveries()
    desk.fake.member_sends(OPERATOR_CHAT, 1001, "Are you there?", thread_id=thread)
    await desk.settle()

    samples = await scrape(desk.url)

    assert value(samples, "relaydesk_delivery_rate_limited_total", target_kind="customer") == 1
    assert value(samples, "relaydesk_delivery_retries_total", target_kind="customer") == 1
    assert value(samples, "relaydesk_deliveries_dead_total", target_kind="customer") == 1
    assert value(samples, f"{LATENCY}_count", target_kind="customer") == 3
    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == [
        "Let me look",
        "One moment",
        "Found it",
    ]


async def test_with_a_token_metrics_ask_for_it(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = await Desk(fake_telegram, database_url, metrics_token="scrape-me-please").start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{desk.url}/metrics") as response:
                assert response.status == 401
                assert "RELAYDESK_METRICS_TOKEN" in await response.text()
            wrong = {"Authorization": "Bearer not-the-token"}
            async with http.get(f"{desk.url}/metrics", headers=wrong) as response:
                assert response.status == 401
        samples = await scrape(desk.url, token="scrape-me-please")
        assert value(samples, "relaydesk_outbox_pending", target_kind="thread") == 0
    finally:
        await desk.stop()


@pytest.mark.parametrize(
    ("token", "remote", "authorization", "status"),
    [
        (None, "127.0.0.1", None, None),
        (None, "::1", None, None),
        (None, "::ffff:127.0.0.1", None, None),
        (None, "10.0.0.7", None, 403),
        (None, "::ffff:10.0.0.7", None, 403),
        (None, None, None, 403),
        ("scrape-me-please", "10.0.0.7", "Bearer scrape-me-please", None),
        ("scrape-me-please", "127.0.0.1", None, 401),
        ("scrape-me-please", "10.0.0.7", "Basic scrape-me-please", 401),
        ("scrape-me-please", "10.0.0.7", "Bearer ключ", 401),
    ],
)
def test_who_may_read_the_metrics(
    token: str | None, remote: str | None, authorization: str | None, status: int | None
) -> None:
    settings = Settings(_env_file=None, metrics_token=token)
    refused = refusal(settings, remote, authorization)
    assert (refused.status if refused else None) == status


async def test_the_queue_while_slack_is_down_and_after_it_is_back(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> None:
    desk = Desk.with_slack(fake_telegram, fake_slack, database_url, SLACK_CHANNEL, **QUICK_RETRIES)
    await desk.start()
    try:
        await go_away(fake_slack)
        await eventually(lambda: _slack_is(desk, "down"))
        fake_telegram.add_user(CUSTOMER, "Ivan")
        fake_telegram.user_sends(CUSTOMER, "My parcel is late")
        await eventually(lambda: not fake_telegram.pending_updates())
        await eventually(lambda: _pending(desk, "thread", 1))

        samples = await scrape(desk.url)
        assert value(samples, "relaydesk_outbox_pending", target_kind="customer") == 0
        # Nobody has acted in the channel yet, so no operator is known to assign it to.
        assert value(samples, CONVERSATIONS, line=DEFAULT_LINE, status="queued") == 1
        assert value(samples, CONVERSATIONS, line=DEFAULT_LINE, status="open") == 0

        await come_back(fake_slack)
        await desk.settle()
        assert await _pending(desk, "thread", 0)
        samples = await scrape(desk.url)
        assert value(samples, f"{LATENCY}_count", target_kind="thread") >= 1
        assert not [s for s in samples if s[0].startswith("relaydesk_deliveries_dead")]
    finally:
        await desk.stop()


async def _slack_is(desk: Desk, status: str) -> bool:
    return (await health(desk.url))[1]["components"]["slack"].startswith(status)


async def _pending(desk: Desk, target_kind: str, count: int) -> bool:
    samples = await scrape(desk.url)
    return value(samples, "relaydesk_outbox_pending", target_kind=target_kind) == count


async def test_a_scrape_the_database_does_not_answer_is_refused_in_one_line(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def fails(metrics: object) -> None:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(live_gauges, "refresh", fails)
    async with aiohttp.ClientSession() as http, http.get(f"{desk.url}/metrics") as response:
        assert response.status == 503
    (said,) = [r for r in caplog.records if r.name == "relaydesk.probes"]
    assert said.levelname == "WARNING" and "ConnectionRefusedError" in said.getMessage()
