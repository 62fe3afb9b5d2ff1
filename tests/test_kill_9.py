"""kill -9 in the middle of a burst: every accepted message still reaches its topic.

The desk runs as its own process (`python -m relaydesk run`), wired to the fake Telegram through its
environment settings, and is killed with SIGKILL while sends are in flight: the fake has acted
on some calls and not answered them yet, so the dead process never learnt they went through.
The next start reads the unconfirmed updates again and sends what was not confirmed again:
every message arrives, in order, at most twice (at least once is what the README promises).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from tests.fakes.desk import OPERATOR_CHAT, shown_texts
from tests.fakes.process import RelaydeskProcess
from tests.fakes.telegram import FakeTelegram

CUSTOMERS = range(5001, 5011)
ROUNDS = 6
# On PostgreSQL the dead process's claims on deliveries are waited out (a 10 s lease).
ARRIVAL_WITHIN = 60.0


def shown_in_topics(fake: FakeTelegram, user: int) -> list[str]:
    """The customer's messages as operators see them, over every topic opened for them (a
    topic whose creation the kill cut off may be created once more)."""
    return [
        text
        for topic in fake.topics(OPERATOR_CHAT)
        if f"Customer{user} " in topic["name"]
        for m in fake.chat_messages(OPERATOR_CHAT, topic["message_thread_id"])
        for text in shown_texts(m)
    ]


def all_shown(fake: FakeTelegram) -> list[str]:
    return [text for user in CUSTOMERS for text in shown_in_topics(fake, user)]


async def wait_until(fake: FakeTelegram, condition, within: float, what: str) -> None:
    """Bounded: the fake's state changes wake the check."""
    assert await fake.changed.wait_until(condition, within), f"{what} not within {within} s"


@pytest.mark.timeout(300)
async def test_kill_9_mid_burst_loses_no_accepted_message(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    fake = fake_telegram
    fake.answer_delay = 0.15  # every call acts at once and answers 0.15 s later
    desk = RelaydeskProcess(fake, database_url, tmp_path)
    # Each text a send of its own (no first text waits for the lines after it), one
    # customer's one after another: the kill comes while most of the burst is unsent.
    desk.env["RELAYDESK_FIRST_MESSAGE_WAIT_SECONDS"] = "0"
    sent = [f"{user}-{r}" for r in range(ROUNDS) for user in CUSTOMERS]
    try:
        await desk.start()
        for user in CUSTOMERS:
            fake.add_user(user, f"Customer{user}")
        for r in range(ROUNDS):
            for user in CUSTOMERS:
                fake.user_sends(user, f"{user}-{r}")

        await wait_until(fake, lambda: len(all_shown(fake)) >= 3, 60, "the first messages")
        await wait_until(fake, lambda: fake.unanswered > 0, 10, "a send in flight")
        await desk.kill()

        # Calls the fake acted on whose answers now reach no one, and a burst half shown.
        assert fake.unanswered > 0
        assert 0 < len(all_shown(fake)) < len(sent)
        fake.answer_delay = 0.0
        await desk.start()
        every = set(sent)
        await wait_until(fake, lambda: set(all_shown(fake)) == every, ARRIVAL_WITHIN, "all")
        await asyncio.sleep(1.0)  # anything sent twice has arrived by now
        for user in CUSTOMERS:
            shown = shown_in_topics(fake, user)
            first_seen = list(dict.fromkeys(shown))
            assert first_seen == [f"{user}-{r}" for r in range(ROUNDS)], shown
            assert max(Counter(shown).values()) <= 2, shown
        await desk.stop()
        assert fake.token not in desk.output(tail=10**7)
        assert "Traceback" not in desk.logs[-1].read_text(), desk.output()
    finally:
        await desk.stop()
