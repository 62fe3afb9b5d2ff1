"""The fake Slack's Socket Mode, exercised through a real slack_bolt AsyncApp and
AsyncSocketModeHandler."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack
from tests.fakes.slack.testing import (
    ALICE,
    BOB,
    BUTTONS,
    DESK,
    fake_fixture,  # noqa: F401 (the "fake" fixture)
)

pytestmark = pytest.mark.asyncio


# ----- Socket Mode ---------------------------------------------------------------------


@pytest_asyncio.fixture
async def socket_app(fake: FakeSlack) -> AsyncIterator[AsyncApp]:
    app = AsyncApp(client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url))
    handler = AsyncSocketModeHandler(app, fake.app_token)
    await handler.connect_async()
    await fake.wait_socket()
    yield app
    await handler.close_async()


async def test_socket_mode_event(fake: FakeSlack, socket_app: AsyncApp) -> None:
    seen: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    @socket_app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        await seen.put(event)

    assert fake.calls_to("apps.connections.open") == [{}]
    [envelope] = fake.post_envelopes(DESK, ALICE, "over the socket")
    envelope_id = await fake.socket_send("events_api", envelope)
    assert await fake.wait_ack(envelope_id) == {"envelope_id": envelope_id}
    event = await asyncio.wait_for(seen.get(), 5)
    assert event["text"] == "over the socket"


async def test_socket_mode_interactive_and_reconnect(fake: FakeSlack, socket_app: AsyncApp) -> None:
    @socket_app.action("close")
    async def on_close(ack: Any) -> None:
        await ack()

    @socket_app.command("/desk")
    async def on_desk(ack: Any) -> None:
        await ack(text="pong")

    @socket_app.event("message")
    async def on_message() -> None:
        """Any listener at all makes Bolt acknowledge the envelope."""

    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    posted = await client.chat_postMessage(channel=DESK, text="Ticket", blocks=BUTTONS)
    payload = fake.block_actions(DESK, posted["ts"], BOB, "close", "ticket-1")
    assert await fake.wait_ack(await fake.socket_send("interactive", payload))
    form = fake.slash_command_form("/desk", "", ALICE, DESK)
    ack = await fake.wait_ack(await fake.socket_send("slash_commands", form))
    assert ack["payload"] == {"text": "pong"}

    await fake.socket_disconnect()
    await fake.wait_socket(connects=2)
    assert len(fake.calls_to("apps.connections.open")) == 2
    [envelope] = fake.post_envelopes(DESK, ALICE, "after reconnect")
    assert await fake.wait_ack(await fake.socket_send("events_api", envelope))
    assert len(fake.socket.open_connections()) == 1
