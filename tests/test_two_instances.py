"""Two `relaydesk run` processes on one PostgreSQL database and one Redis, behind a
round-robin proxy (relaydesk/proxy.py) that the fake Telegram's webhook calls: a burst of
customer texts spread over both, one instance killed with SIGKILL while its sends are in
flight, and every text still reaches its topic, in order.

Each instance reaches the fake through a pass-through proxy of its own, which counts the calls
it has made and not had answered: the kill is made while the killed instance has some (the
fake acted on them; the dead process never learnt it). The survivor takes the dead one's
deliveries up when their claims' lease (10 s; a live instance renews it every 3 s while its
send is in flight, a dead one cannot) runs out and sends them again: a text arrives
at least once and at most twice, as tests/test_kill_9.py allows — exactly once is not possible
when the dead process's call went through and its answer was lost with it.

The fake enforces a budget of GLOBAL messages a second for the bot, and both instances are
told it: their shared pacing (Redis) keeps them within it together. An admin panel session
made through one instance is valid on the other (sessions live in Redis).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT
from tests.fakes.instances import Instance, two_instances
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.telegram import FakeTelegram
from tests.test_kill_9 import shown_in_topics

REDIS_URL = redis_url(SHARED)
CUSTOMERS = range(6001, 6013)
ROUNDS = 3
GLOBAL = 12  # messages a second for the bot, on both sides
BUDGET = {"RELAYDESK_TELEGRAM_GLOBAL_PER_SECOND": str(GLOBAL)}
# The dead instance's claims are waited out (a 10 s lease), then everything goes.
ARRIVAL_WITHIN = 25.0
# 429s the desk may meet and absorb: a few at the window's edges where its clock and the
# fake's differ by a call's travel time.
ABSORBED_429 = 3


@pytest.fixture
async def limited_fake() -> AsyncIterator[FakeTelegram]:
    """Telegram's per-bot budget at GLOBAL a second; groups and chats practically open."""
    fake = FakeTelegram(
        limits=True,
        global_per_second=GLOBAL,
        group_per_minute=100_000,
        private_per_second=1000.0,
        private_burst=1000,
    )
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members={1001: "member"})
    fake.add_user(1001, "Olga", username="olga")
    yield fake
    await fake.close()


@pytest.mark.timeout(100)
async def test_two_instances_share_the_webhook_and_the_outbox_and_survive_a_kill_9(
    limited_fake: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    fake = limited_fake
    sent = [f"{user}-{r}" for r in range(ROUNDS) for user in CUSTOMERS]
    async with two_instances(fake, database_url, tmp_path, REDIS_URL, **BUDGET) as pair:
        one, two, balancer = pair.one, pair.two, pair.balancer
        await _sessions_work_on_either(one, two)

        fake.answer_delay = 0.15  # every call acts at once and answers 0.15 s later
        for user in CUSTOMERS:
            fake.add_user(user, f"Customer{user}")
        for r in range(ROUNDS):
            for user in CUSTOMERS:
                fake.user_sends(user, f"{user}-{r}")
        await _wait_for(lambda: len(all_shown(fake)) >= 5, 30, "the first messages")
        await _wait_for(lambda: one.to_fake.inflight > 0, 10, "a send of the first in flight")
        in_flight_at_kill = one.to_fake.inflight  # the signal goes before any other await
        await one.process.kill()
        killed_at = time.monotonic()
        assert in_flight_at_kill > 0
        assert 0 < len(all_shown(fake)) < len(sent)
        fake.answer_delay = 0.0

        every = set(sent)
        await _wait_for(lambda: set(all_shown(fake)) == every, ARRIVAL_WITHIN, "all")
        # The dead one's claims lapse after their 10 s lease, not 30 s.
        assert time.monotonic() - killed_at < 20, time.monotonic() - killed_at
        await asyncio.sleep(1.0)  # anything sent twice has arrived by now
        for user in CUSTOMERS:
            shown = shown_in_topics(fake, user)
            assert list(dict.fromkeys(shown)) == [f"{user}-{r}" for r in range(ROUNDS)], shown
            assert max(Counter(shown).values()) <= 2, shown
        # Both instances took webhook calls, and the bot stayed within its budget together.
        assert all(balancer.served.values()), balancer.served
        assert fake.stats.too_many_requests <= ABSORBED_429, fake.stats.too_many_requests
        assert one.to_fake.served[fake.base_url] and two.to_fake.served[fake.base_url]
        await two.stop()
        assert "Traceback" not in two.process.logs[-1].read_text(), two.process.output()
        assert time.monotonic() - began < 80


def all_shown(fake: FakeTelegram) -> list[str]:
    return [text for user in CUSTOMERS for text in shown_in_topics(fake, user)]


async def _sessions_work_on_either(one: Instance, two: Instance) -> None:
    """Signed in through one instance, the same cookie is signed in on the other."""
    await make_account_in(one)
    first = PanelClient(one.process.url)
    try:
        status, _ = await first.sign_in("boss")
        assert status == 200
        status, html = await first.get("/admin/")
        assert status == 200 and "boss" in html
        other = PanelClient(two.process.url)
        other.session.cookie_jar.update_cookies({c.key: c.value for c in first.session.cookie_jar})
        try:
            status, html = await other.get("/admin/", allow_redirects=False)
            assert status == 200 and "boss" in html, status
        finally:
            await other.close()
    finally:
        await first.close()


async def make_account_in(instance: Instance) -> None:
    """`relaydesk create-admin` is interactive; the account is written as the tests do."""
    from storage import db

    await db.connect(instance.process.env["RELAYDESK_DATABASE_URL"])
    try:
        await make_account("boss")
    finally:
        await db.disconnect()


async def _wait_for(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {within} s"
        await asyncio.sleep(0.02)
