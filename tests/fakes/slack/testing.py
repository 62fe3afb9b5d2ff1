"""Shared setup for the fake Slack's own tests (tests/test_fake_slack_*.py): the people
and channels they use, a fake clock, and the ``fake`` and ``client`` fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from .server import FakeSlack

ALICE = "U0ALICE"
BOB = "U0BOB"
DESK = "C0DESK"
SECRET = "C0SECRET"  # private, the bot is not in it
LOBBY = "C0LOBBY"  # public, the bot is not in it
BUTTONS = [
    {
        "type": "actions",
        "block_id": "b",
        "elements": [
            {
                "type": "button",
                "action_id": "close",
                "text": {"type": "plain_text", "text": "Close"},
                "value": "ticket-1",
            }
        ],
    }
]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def populate(fake: FakeSlack) -> None:
    fake.add_user(ALICE, "alice", real_name="Alice Smith", locale="de-DE")
    fake.add_user(BOB, "bob", real_name="Bob Agent")
    fake.add_channel(DESK, "desk", members=[ALICE, BOB])
    fake.add_channel(SECRET, "secret", members=[BOB], bot_is_member=False, is_private=True)
    fake.add_channel(LOBBY, "lobby", members=[ALICE], bot_is_member=False)


@pytest_asyncio.fixture(name="fake")
async def fake_fixture() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    populate(fake)
    await fake.start()
    yield fake
    await fake.close()
    assert fake.crashes == []


@pytest_asyncio.fixture(name="client")
async def client_fixture(fake: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    session = aiohttp.ClientSession()
    yield AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, session=session)
    await session.close()
