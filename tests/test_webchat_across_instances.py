"""Two `relaydesk run` processes on one PostgreSQL database and one Redis: a visitor has a
window open on each (two tabs that the load balancer sent to different instances). What the
visitor writes in one tab and what an operator answers, whichever instance took the webhook
and whichever sent the delivery, shows in both windows at once, not at their next connect."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from tests.fakes.desk import OPERATOR_CHAT
from tests.fakes.instances import two_instances
from tests.fakes.process import spawn_command
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.telegram import FakeTelegram
from tests.fakes.webchat import SHOP, Window

REDIS_URL = redis_url(SHARED)
OLGA = 1001
# Far above what a line takes through Redis; far below the next connect of a WebSocket.
AT_ONCE = 3.0


async def _entry_point_key(database_url: str, folder: Path) -> str:
    added = await spawn_command(
        database_url, "webchat", "add", "shop", "default", "--origin", SHOP, cwd=folder
    )
    out, err = await added.communicate()
    assert added.returncode == 0, err.decode()
    found = re.search(r'data-key="(wc_[^"]+)"', out.decode())
    assert found, out.decode()
    return found.group(1)


async def _topic(fake: FakeTelegram, name: str, within: float = 15.0) -> int:
    deadline = time.monotonic() + within
    while True:
        topics = [t for t in fake.topics(OPERATOR_CHAT) if name in t["name"]]
        if topics:
            return topics[0]["message_thread_id"]
        assert time.monotonic() < deadline, f"no topic {name!r}"
        await asyncio.sleep(0.05)


@pytest.mark.timeout(90)
async def test_a_visitors_windows_on_two_instances_both_show_every_line_at_once(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    fake = fake_telegram
    async with two_instances(fake, database_url, tmp_path, REDIS_URL) as pair:
        key = await _entry_point_key(database_url, tmp_path)
        here = Window(pair.one.process, key)  # type: ignore[arg-type]
        await here.open()
        there = Window(pair.two.process, key, token=here.token)  # type: ignore[arg-type]
        await there.open()
        try:
            # What the visitor writes in one tab shows in the other, on the other instance.
            sent = await here.say("Is the blue kettle in stock?")
            assert sent["type"] == "sent"
            echoed = await there.item("in")
            assert echoed["text"] == "Is the blue kettle in stock?"

            # The operator's answer reaches both windows at once, whoever sent it.
            thread = await _topic(fake, "Web visitor")
            answered = time.monotonic()
            fake.member_sends(OPERATOR_CHAT, OLGA, "Yes, two left", thread_id=thread)
            for window in (here, there):
                answer = await window.item("out")
                assert (answer["text"], answer["author"]) == ("Yes, two left", "Olga")
            assert time.monotonic() - answered < AT_ONCE
        finally:
            await here.close()
            await there.close()
