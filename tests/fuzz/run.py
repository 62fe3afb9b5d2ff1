"""Drive generated cases through the desk's real HTTP endpoints and check the database after.

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
    Contact,
    Conversation,
    ConversationStatus,
    Delivery,
    DeliveryStatus,
    Identity,
    Line,
    Message,
    Thread,
)
from tests.fakes.api import api_entry_point
from tests.fakes.databases import fresh_database
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, Desk
from tests.fakes.telegram import FakeTelegram
from tests.fuzz.strategies import CUSTOMERS, Case, cases

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
async def fuzz_desk(fake: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """A desk with customers on Telegram through the webhook, and the API."""
    desk = Desk(
        fake,
        database_url,
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


async def drive(desk: Desk, drawn: list[Case]) -> Counter[int]:
    """Send every case; any 5xx fails at once with the case that caused it."""
    client, _ = await api_entry_point(desk)
    # The API's per-key limit would answer most cases 429 before reading them.
    await ApiEntryPoint.all().update(requests_per_minute=1_000_000)
    statuses: Counter[int] = Counter()
    urls = {"telegram": f"{desk.url}/telegram/webhook", "api": f"{desk.url}/api/v1/messages"}
    auth = {
        "telegram": {"X-Telegram-Bot-Api-Secret-Token": SECRET},
        "api": {"Authorization": f"Bearer {client.key}"},
    }
    async with aiohttp.ClientSession() as session:
        for case in drawn:
            headers = {**auth[case.endpoint], **case.headers}
            async with session.post(urls[case.endpoint], data=case.body, headers=headers) as r:
                await r.read()
                assert r.status < 500, (r.status, case)
                statuses[r.status] += 1
    return statuses


async def check_invariants() -> dict[str, int]:
    """Nothing half-written: every row points at rows that exist, one open conversation per
    contact, deliveries that wait have a target this version can read, one API answer per
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
        "api requests": len(keys),
    }


async def run(count: int, chosen_seed: int, db: str = "sqlite") -> dict[str, float]:
    drawn = generate(count, chosen_seed)
    with tempfile.TemporaryDirectory() as folder:
        async with (
            fresh_database(db, Path(folder)) as url,
            fake_telegram() as fake,
            fuzz_desk(fake, url) as desk,
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
        **{f"status {k}": v for k, v in sorted(statuses.items())},
        **totals,
    }
