"""Fixtures of the API's tests: a desk that may call webhooks on this machine, a receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.api import Receiver
from tests.fakes.desk import Desk
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = await Receiver().start()
    yield receiver
    await receiver.close()


@pytest.fixture
async def api_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """The receivers of these tests listen on 127.0.0.1: the desk is allowed to call them."""
    desk = Desk(fake_telegram, database_url, webhook_allow_private=True)
    await desk.start()
    yield desk
    await desk.stop()
