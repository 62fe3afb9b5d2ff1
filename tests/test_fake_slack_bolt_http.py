"""The fake Slack delivering events, interactions and commands over HTTP to a real
slack_bolt AsyncApp."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack
from tests.fakes.slack.testing import (
    ALICE,
    BOB,
    BUTTONS,
    DESK,
    LOBBY,
    fake_fixture,  # noqa: F401 (the "fake" fixture)
)

pytestmark = pytest.mark.asyncio


# ----- a real Bolt app over HTTP -------------------------------------------------------


@pytest_asyncio.fixture
async def bolt(fake: FakeSlack) -> AsyncIterator[tuple[AsyncApp, str]]:
    # The token must be on the client: AsyncApp takes client.token, not token=.
    app = AsyncApp(
        signing_secret=fake.signing_secret,
        client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url),
    )

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield app, f"http://{host}:{port}/slack/events"
    await runner.cleanup()


async def test_bolt_message_event(fake: FakeSlack, bolt: tuple[AsyncApp, str]) -> None:
    app, url = bolt
    seen: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await seen.put(event)
        await say(text="Got it", thread_ts=event["ts"])

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        await seen.put(event)

    status, _, event = await fake.user_posts(url, DESK, ALICE, "Hello <@U0BOT>")
    assert status == 200
    received = [await asyncio.wait_for(seen.get(), 5) for _ in range(2)]
    assert sorted(e["type"] for e in received) == ["app_mention", "message"]
    assert all(e["ts"] == event["ts"] for e in received)
    assert event["channel_type"] == "channel"
    assert event["blocks"][0]["elements"][0]["elements"][1] == {
        "type": "user",
        "user_id": "U0BOT",
    }
    envelopes = [json.loads(d.body) for d in fake.deliveries]
    assert len({e["event_id"] for e in envelopes}) == 2
    await fake.wait_until(lambda: len(fake.messages(DESK, event["ts"])) == 1)
    assert fake.messages(DESK, event["ts"])[0]["text"] == "Got it"
    assert len(fake.calls_to("auth.test")) == 1  # Bolt calls it lazily, once

    delivery = fake.deliveries[0]
    verifier = SignatureVerifier(fake.signing_secret)
    assert verifier.is_valid_request(delivery.body, delivery.headers)
    status, _ = await fake.resend(url, delivery.body, delivery.headers, retry_num=1)
    assert status == 200
    assert fake.deliveries[-1].headers["X-Slack-Retry-Num"] == "1"


async def test_bolt_rejects_bad_signatures(fake: FakeSlack, bolt: tuple[AsyncApp, str]) -> None:
    app, url = bolt
    [envelope] = fake.post_envelopes(DESK, ALICE, "Hello")
    body, headers = fake.signed_event(envelope)
    forged = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}
    assert (await fake.deliver(url, body, forged))[0] == 401
    tampered = body.replace(b"Hello", b"Hallo")
    assert (await fake.deliver(url, tampered, headers))[0] == 401
    stale_body, stale_headers = fake.signed_event(envelope, timestamp=int(time.time()) - 301)
    assert (await fake.deliver(url, stale_body, stale_headers))[0] == 401
    # Bolt answers 404 to a valid event no listener handles (Slack then retries it).
    assert (await fake.deliver(url, body, headers))[0] == 404

    @app.event("message")
    async def on_message() -> None:
        """Any listener at all makes Bolt answer 200."""

    assert (await fake.deliver(url, body, headers))[0] == 200


async def test_bolt_button_press(fake: FakeSlack, bolt: tuple[AsyncApp, str]) -> None:
    app, url = bolt
    pressed: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    @app.action("close")
    async def on_close(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await pressed.put(body)
        await respond(text="Closed", replace_original=True)

    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    posted = await client.chat_postMessage(channel=DESK, text="Ticket", blocks=BUTTONS)
    status, _, payload = await fake.press_button(url, DESK, posted["ts"], BOB, "close", "ticket-1")
    assert status == 200
    body = await asyncio.wait_for(pressed.get(), 5)
    assert body["actions"][0]["value"] == "ticket-1"
    assert body["actions"][0]["text"]["text"] == "Close"
    assert body["container"]["message_ts"] == posted["ts"]
    assert body["user"]["id"] == BOB
    assert payload["message"]["ts"] == posted["ts"]
    await fake.wait_until(lambda: bool(fake.responses))
    assert fake.responses[0]["applied"] == "replace_original"
    assert (fake.message(DESK, posted["ts"]) or {})["text"] == "Closed"


async def test_bolt_slash_command_and_shortcut(fake: FakeSlack, bolt: tuple[AsyncApp, str]) -> None:
    app, url = bolt

    @app.command("/desk")
    async def on_desk(ack: Any, command: dict[str, Any]) -> None:
        await ack(text=f"status of {command['text']} for {command['user_name']}")

    @app.shortcut("to_ticket")
    async def on_shortcut(ack: Any, shortcut: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(text=f"ticket from {shortcut['message']['text']}")

    status, body, fields = await fake.slash_command(url, "/desk", "open", ALICE, DESK)
    assert (status, body) == (200, "status of open for alice")
    assert fields["channel_name"] == "desk"

    ts = fake.post_envelopes(DESK, ALICE, "printer broken")[0]["event"]["ts"]
    status, _, _ = await fake.message_shortcut(url, DESK, ts, BOB, "to_ticket")
    assert status == 200
    await fake.wait_until(lambda: bool(fake.ephemerals(BOB)))
    assert fake.ephemerals(BOB)[0]["text"] == "ticket from printer broken"


async def test_bolt_edits_deletes_and_files(fake: FakeSlack, bolt: tuple[AsyncApp, str]) -> None:
    app, url = bolt
    seen: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        await seen.put(event)

    _, _, parent = await fake.user_posts(url, DESK, ALICE, "first")
    _, _, reply = await fake.user_posts(url, DESK, BOB, "reply", thread_ts=parent["ts"])
    assert reply["parent_user_id"] == ALICE
    status, _, edited = await fake.user_edits(url, DESK, ALICE, parent["ts"], "first, edited")
    assert status == 200 and edited is not None
    assert edited["subtype"] == "message_changed"
    assert edited["message"]["text"] == "first, edited"
    assert edited["previous_message"]["text"] == "first"
    # A thread parent with replies becomes a tombstone: message_changed, not message_deleted.
    _, _, gone = await fake.user_deletes(url, DESK, parent["ts"])
    assert gone is not None and gone["message"]["subtype"] == "tombstone"
    _, _, gone = await fake.user_deletes(url, DESK, reply["ts"])
    assert gone is not None and gone["subtype"] == "message_deleted"
    assert gone["deleted_ts"] == reply["ts"]
    assert fake.messages(DESK) == []  # the tombstone went with its last reply

    _, _, shared = await fake.user_posts(url, DESK, ALICE, "", files=[("scan.pdf", b"%PDF-1")])
    assert shared["subtype"] == "file_share"
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    info = await client.files_info(file=shared["files"][0]["id"])
    assert info["file"]["mimetype"] == "application/pdf"
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            shared["files"][0]["url_private_download"],
            headers={"Authorization": f"Bearer {fake.bot_token}"},
        ) as resp,
    ):
        assert await resp.read() == b"%PDF-1"
    assert [(await asyncio.wait_for(seen.get(), 5)).get("subtype") for _ in range(5)] == [
        None,
        None,
        "message_changed",
        "message_changed",
        "message_deleted",
    ]
    # A DM to the bot: channel_type "im"; posting to a user id lands in that DM.
    dm = fake.add_dm(ALICE)
    _, _, direct = await fake.user_posts(url, dm["id"], ALICE, "psst")
    assert direct["channel_type"] == "im"
    answer = await client.chat_postMessage(channel=ALICE, text="hi")
    assert answer["channel"] == dm["id"]
    # Nothing is delivered from a channel the bot is not in.
    assert (await fake.user_posts(url, LOBBY, ALICE, "anyone?"))[:2] == (0, "")
