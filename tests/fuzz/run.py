"""Drive generated cases through the desk's real HTTP endpoints and check the database after.

The desk has two lines: the default one in the fake Telegram's forum (Telegram's customers
come there) and one in the fake Slack's channel, where the API's customers come, so that
Slack's events and button presses meet real threads.

`python -m tests.fuzz --cases N --seed S [--db sqlite|postgres]`; the pytest version is
tests/test_fuzz_endpoints.py."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from hypothesis import HealthCheck, Phase, given, seed, settings

from bot.outbox.queue import parse_target
from storage.models import (
    ApiEntryPoint,
    ApiRequest,
    AuditEntry,
    Contact,
    Conversation,
    ConversationStatus,
    Delivery,
    DeliveryStatus,
    Direction,
    Identity,
    Line,
    Message,
    MessageLink,
    Operator,
    Thread,
)
from tests.conftest import SLACK_CHANNEL, SLACK_OPERATORS
from tests.fakes.api import api_entry_point
from tests.fakes.databases import fresh_database
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, Desk
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.fuzz.slack_cases import SlackScene, cases
from tests.fuzz.strategies import CUSTOMERS, Case

SECRET = "fuzz-s3cret"


def generate(count: int, chosen_seed: int) -> list[Case]:
    """`count` cases, the same ones for the same seed (Hypothesis only generates here)."""
    drawn: list[Case] = []

    @seed(chosen_seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def collect(case: Case) -> None:
        drawn.append(case)

    collect()
    return drawn


@asynccontextmanager
async def fuzz_desk(fake: FakeTelegram, slack: FakeSlack, database_url: str) -> AsyncIterator[Desk]:
    """A desk with customers on Telegram through the webhook, and the API; operators in the
    forum and in the Slack channel (HTTP events)."""
    desk = Desk.with_slack(
        fake,
        slack,
        database_url,
        SLACK_CHANNEL,
        telegram_operator_chat_id=OPERATOR_CHAT,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
        webhook_allow_private=True,
    )
    desk.settings.telegram_webhook_url = f"{desk.url}/telegram/webhook"
    await desk.start()
    try:
        yield desk
    finally:
        await desk.stop()


@asynccontextmanager
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    for user_id, name in OPERATORS.items():
        fake.add_user(user_id, name, username=name.lower())
    for user_id in CUSTOMERS:
        fake.add_user(user_id, f"Customer {user_id}")
    try:
        yield fake
    finally:
        await fake.close()


@asynccontextmanager
async def fake_slack() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    for user_id, name in SLACK_OPERATORS.items():
        slack.add_user(user_id, name, real_name=name.title())
    slack.add_channel(SLACK_CHANNEL, "support", members=list(SLACK_OPERATORS))
    try:
        yield slack
    finally:
        await slack.close()


async def drive(desk: Desk, drawn: list[Case]) -> Counter[tuple[str, int]]:
    """Send every case; any 5xx fails at once with the case that caused it, and so does a
    Slack request with a forged, stale or missing signature that is not refused."""
    client, _ = await api_entry_point(desk, line="slack")
    scene = SlackScene(desk.slack)
    # The API's per-key limit would answer most cases 429 before reading them.
    await ApiEntryPoint.all().update(requests_per_minute=1_000_000)
    statuses: Counter[tuple[str, int]] = Counter()
    urls = {
        "telegram": f"{desk.url}/telegram/webhook",
        "api": f"{desk.url}/api/v1/messages",
        "slack": f"{desk.url}/slack/events",
    }
    auth = {
        "telegram": {"X-Telegram-Bot-Api-Secret-Token": SECRET},
        "api": {"Authorization": f"Bearer {client.key}"},
    }
    async with aiohttp.ClientSession() as session:
        for case in drawn:
            body, headers = case.body, {**auth.get(case.endpoint, {}), **case.headers}
            if case.endpoint == "slack":
                body, headers = scene.request(case)
            async with session.post(urls[case.endpoint], data=body, headers=headers) as r:
                await r.read()
                assert r.status < 500, (r.status, case)
                if case.signing not in ("", "good"):
                    assert r.status in (401, 403), (r.status, case)
                statuses[case.endpoint, r.status] += 1
    return statuses


async def check_invariants() -> dict[str, int]:
    """Nothing half-written: every row points at rows that exist (threads, messages and their
    links, authors, audit entries), a thread is in its line's workspace, one open conversation
    per contact, deliveries that wait have a target this version can read, one API answer per
    idempotency key."""
    lines = set(await Line.all().values_list("id", flat=True))
    contacts = set(await Contact.all().values_list("id", flat=True))
    identities = set(await Identity.all().values_list("id", flat=True))
    threads = set(await Thread.all().values_list("id", flat=True))
    conversations = await Conversation.all().values(
        "id", "contact_id", "identity_id", "thread_id", "line_id", "status", "open_key"
    )
    by_id = {c["id"] for c in conversations}
    for c in conversations:
        assert c["contact_id"] in contacts, c
        assert c["identity_id"] in identities, c
        assert c["thread_id"] in threads, c
        assert c["line_id"] in lines, c
        if c["status"] != ConversationStatus.CLOSED:
            assert c["open_key"] == c["contact_id"], c
    still_open = Counter(
        c["contact_id"] for c in conversations if c["status"] != ConversationStatus.CLOSED
    )
    assert all(n == 1 for n in still_open.values()), still_open
    messages = await Message.all().values_list("conversation_id", flat=True)
    assert set(messages) <= by_id
    # A thread lives in its own line's workspace: a Slack thread never in the forum.
    workspaces = {
        line["id"]: (line["workspace_kind"], line["workspace_chat"])
        for line in await Line.all().values("id", "workspace_kind", "workspace_chat")
    }
    for t in await Thread.all().values(
        "id", "contact_id", "line_id", "workspace_kind", "workspace_chat"
    ):
        assert t["contact_id"] in contacts, t
        assert workspaces[t["line_id"]] == (t["workspace_kind"], t["workspace_chat"]), t
    message_ids = set(await Message.all().values_list("id", flat=True))
    operators = set(await Operator.all().values_list("id", flat=True))
    for author in await Message.filter(author_operator_id__not_isnull=True).values_list(
        "author_operator_id", flat=True
    ):
        assert author in operators, author
    assert set(await MessageLink.all().values_list("message_id", flat=True)) <= message_ids
    audited = await AuditEntry.filter(conversation_id__not_isnull=True).values_list(
        "conversation_id", flat=True
    )
    assert set(audited) <= by_id
    # Whoever changed a conversation is an operator (a stranger's button press changes nothing).
    for actor in await AuditEntry.filter(actor_id__not_isnull=True).values_list(
        "actor_id", flat=True
    ):
        assert actor in operators, actor
    for target in await Delivery.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD]
    ).values_list("target", flat=True):
        parse_target(str(target))
    keys = await ApiRequest.all().values_list("entry_point_id", "key")
    assert len(keys) == len(set(keys))
    return {
        "contacts": len(contacts),
        "conversations": len(conversations),
        "messages": len(messages),
        "operators' messages and notes": await Message.filter(
            direction__in=[Direction.OUT, Direction.NOTE]
        ).count(),
        "threads in Slack": await Thread.filter(workspace_kind="slack").count(),
        "api requests": len(keys),
    }


async def run(count: int, chosen_seed: int, db: str = "sqlite") -> dict[str, float]:
    drawn = generate(count, chosen_seed)
    with tempfile.TemporaryDirectory() as folder:
        async with (
            fresh_database(db, Path(folder)) as url,
            fake_telegram() as fake,
            fake_slack() as slack,
            fuzz_desk(fake, slack, url) as desk,
        ):
            started = time.monotonic()
            statuses = await drive(desk, drawn)
            took = time.monotonic() - started
            await desk.settle(timeout=60)
            totals = await check_invariants()
    return {
        "cases": len(drawn),
        "seconds": round(took, 1),
        "cases/s": round(len(drawn) / took, 1) if took else 0.0,
        **{f"{where} {status}": n for (where, status), n in sorted(statuses.items())},
        **totals,
    }
