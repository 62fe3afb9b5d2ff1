"""The fake Slack, exercised through the real slack_sdk AsyncWebClient and a real
slack_bolt AsyncApp, over HTTP and Socket Mode."""

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
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.asyncio

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


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    populate(fake)
    await fake.start()
    yield fake
    await fake.close()
    assert fake.crashes == []


@pytest_asyncio.fixture
async def client(fake: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    session = aiohttp.ClientSession()
    yield AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, session=session)
    await session.close()


# ----- Web API through AsyncWebClient ---------------------------------------------------


async def test_auth_test(fake: FakeSlack, client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["team_id"] == "T0TEST"
    assert response["user_id"] == "U0BOT"
    assert response["bot_id"] == "B0BOT"
    assert response["url"] == "https://relaydesk-test.slack.com/"
    assert "chat:write" in response.headers["x-oauth-scopes"]
    assert fake.calls_to("auth.test") == [{}]


async def test_bad_tokens(fake: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url)
    with pytest.raises(SlackApiError) as error:
        await wrong.auth_test()
    assert error.value.response["error"] == "invalid_auth"
    assert error.value.response.status_code == 200
    with pytest.raises(SlackApiError) as error:
        await AsyncWebClient(base_url=fake.api_url).auth_test()
    assert error.value.response["error"] == "not_authed"
    app_token = AsyncWebClient(token=fake.app_token, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as error:
        await app_token.chat_postMessage(channel=DESK, text="hi")
    assert error.value.response["error"] == "not_allowed_token_type"


async def test_unknown_method(fake: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        await client.api_call("chat.nonsense", json={"channel": DESK})
    assert error.value.response["error"] == "unknown_method"
    assert fake.calls_to("chat.nonsense") == [{"channel": DESK}]


async def test_post_in_thread_and_replies(fake: FakeSlack, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel=DESK, text="New conversation", blocks=BUTTONS)
    assert parent["channel"] == DESK
    assert parent["message"]["bot_id"] == "B0BOT"
    first = await client.chat_postMessage(channel=DESK, text="Hello", thread_ts=parent["ts"])
    second = await client.chat_postMessage(channel=DESK, text="World", thread_ts=parent["ts"])
    assert parent["ts"] < first["ts"] < second["ts"]
    assert first["message"]["thread_ts"] == parent["ts"]
    assert first["message"]["parent_user_id"] == "U0BOT"

    replies = await client.conversations_replies(channel=DESK, ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["New conversation", "Hello", "World"]
    assert replies["messages"][0]["reply_count"] == 2
    assert replies["has_more"] is False
    assert [m["text"] for m in fake.messages(DESK, parent["ts"])] == ["Hello", "World"]
    assert [m["text"] for m in fake.messages(DESK)] == ["New conversation"]
    assert fake.calls_to("chat.postMessage")[0]["blocks"] == BUTTONS

    # Slack accepts replies to a parent that does not exist.
    orphan = await client.chat_postMessage(channel=DESK, text="?", thread_ts="1.000001")
    assert orphan["message"]["thread_ts"] == "1.000001"
    with pytest.raises(SlackApiError) as error:
        await client.conversations_replies(channel=DESK, ts="1.000001")
    assert error.value.response["error"] == "thread_not_found"


async def test_people_posts_seen_by_replies(fake: FakeSlack, client: AsyncWebClient) -> None:
    envelopes = fake.post_envelopes(DESK, ALICE, "I need help")
    ts = envelopes[0]["event"]["ts"]
    fake.post_envelopes(DESK, BOB, "On it", thread_ts=ts)
    replies = await client.conversations_replies(channel=DESK, ts=ts)
    assert [(m["user"], m["text"]) for m in replies["messages"]] == [
        (ALICE, "I need help"),
        (BOB, "On it"),
    ]
    assert replies["messages"][1]["parent_user_id"] == ALICE


async def test_update_delete_permalink(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=DESK, text="Open", blocks=BUTTONS)
    updated = await client.chat_update(channel=DESK, ts=posted["ts"], text="Closed")
    assert updated["text"] == "Closed"
    stored = fake.message(DESK, posted["ts"])
    assert stored is not None
    assert stored["text"] == "Closed"
    assert stored["blocks"] == BUTTONS  # omitted blocks are kept
    assert stored["edited"]["user"] == "U0BOT"
    await client.chat_update(channel=DESK, ts=posted["ts"], text="Closed", blocks=[])
    assert "blocks" not in (fake.message(DESK, posted["ts"]) or {})

    with pytest.raises(SlackApiError) as error:
        await client.chat_update(channel=DESK, ts="1.000001", text="x")
    assert error.value.response["error"] == "message_not_found"
    theirs = fake.post_envelopes(DESK, ALICE, "mine")[0]["event"]["ts"]
    with pytest.raises(SlackApiError) as error:
        await client.chat_update(channel=DESK, ts=theirs, text="edited by the bot")
    assert error.value.response["error"] == "cant_update_message"

    link = await client.chat_getPermalink(channel=DESK, message_ts=posted["ts"])
    assert link["permalink"].endswith(f"/archives/{DESK}/p{posted['ts'].replace('.', '')}")
    await client.chat_delete(channel=DESK, ts=posted["ts"])
    assert fake.message(DESK, posted["ts"]) is None


async def test_reactions(fake: FakeSlack, client: AsyncWebClient) -> None:
    ts = fake.post_envelopes(DESK, ALICE, "thanks")[0]["event"]["ts"]
    await client.reactions_add(channel=DESK, timestamp=ts, name="white_check_mark")
    assert fake.reactions(DESK, ts) == [
        {"name": "white_check_mark", "users": ["U0BOT"], "count": 1}
    ]
    with pytest.raises(SlackApiError) as error:
        await client.reactions_add(channel=DESK, timestamp=ts, name="white_check_mark")
    assert error.value.response["error"] == "already_reacted"
    with pytest.raises(SlackApiError) as error:
        await client.reactions_add(channel=DESK, timestamp=ts, name=":eyes:")
    assert error.value.response["error"] == "invalid_name"
    await client.reactions_remove(channel=DESK, timestamp=ts, name="white_check_mark")
    assert fake.reactions(DESK, ts) == []
    with pytest.raises(SlackApiError) as error:
        await client.reactions_remove(channel=DESK, timestamp=ts, name="white_check_mark")
    assert error.value.response["error"] == "no_reaction"


async def test_files_upload_v2_into_thread(fake: FakeSlack, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel=DESK, text="Conversation")
    data = b"\x89PNG fake image bytes"
    uploaded = await client.files_upload_v2(
        channel=DESK,
        thread_ts=parent["ts"],
        content=data,
        filename="photo.png",
        title="A photo",
        initial_comment="From the customer",
    )
    file = uploaded["file"]
    assert file["name"] == "photo.png"
    assert file["title"] == "A photo"
    assert file["mimetype"] == "image/png"

    [shared] = fake.messages(DESK, parent["ts"])
    assert shared["text"] == "From the customer"
    assert shared["files"][0]["id"] == file["id"]

    info = await client.files_info(file=file["id"])
    assert info["file"]["shares"]["public"][DESK][0]["thread_ts"] == parent["ts"]

    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bearer {fake.bot_token}"}
        async with session.get(file["url_private"], headers=auth) as resp:
            assert resp.status == 200
            assert await resp.read() == data
        async with session.get(file["url_private_download"], headers=auth) as resp:
            assert await resp.read() == data
        async with session.get(file["url_private"]) as resp:  # no token: a login page
            assert resp.status == 200
            assert resp.content_type == "text/html"
    assert [name for name, _ in fake.calls] == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "files.info",
    ]


async def test_fail_next_429(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as error:
        await client.chat_postMessage(channel=DESK, text="hi")
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "7"
    assert error.value.response["error"] == "ratelimited"
    assert fake.stats.ratelimited == 1
    await client.chat_postMessage(channel=DESK, text="hi")  # only the next call failed
    fake.fail_next("chat.postMessage", error="fatal_error", apply=True)
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=DESK, text="twice?")
    assert [m["text"] for m in fake.messages(DESK)] == ["hi", "twice?"]


async def test_channels_and_membership(fake: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        await client.chat_postMessage(channel=LOBBY, text="hi")
    assert error.value.response["error"] == "not_in_channel"
    with pytest.raises(SlackApiError) as error:
        await client.chat_postMessage(channel=SECRET, text="hi")
    assert error.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as error:
        await client.chat_postMessage(channel="C0NOPE", text="hi")
    assert error.value.response["error"] == "channel_not_found"

    info = await client.conversations_info(channel=LOBBY)
    assert info["channel"]["is_member"] is False
    assert info["channel"]["is_private"] is False
    await client.conversations_join(channel=LOBBY)
    await client.chat_postMessage(channel=LOBBY, text="hi")
    members = await client.conversations_members(channel=LOBBY)
    assert members["members"] == [ALICE, "U0BOT"]
    with pytest.raises(SlackApiError) as error:
        await client.conversations_info(channel=SECRET)
    assert error.value.response["error"] == "channel_not_found"


async def test_users_info_and_ephemeral(fake: FakeSlack, client: AsyncWebClient) -> None:
    user = (await client.users_info(user=ALICE, include_locale=True))["user"]
    assert user["real_name"] == "Alice Smith"
    assert user["profile"]["display_name"] == "alice"
    assert user["locale"] == "de-DE"
    assert user["is_bot"] is False
    async with aiohttp.ClientSession() as session, session.get(user["profile"]["image_72"]) as resp:
        assert resp.content_type == "image/png"
    assert "locale" not in (await client.users_info(user=ALICE))["user"]
    assert fake.calls_to("users.info")[0] == {"user": ALICE, "include_locale": "1"}
    with pytest.raises(SlackApiError) as error:
        await client.users_info(user="U0NOBODY")
    assert error.value.response["error"] == "user_not_found"

    await client.chat_postEphemeral(channel=DESK, user=ALICE, text="Only you")
    assert [m["text"] for m in fake.ephemerals(ALICE)] == ["Only you"]
    assert fake.messages(DESK) == []


async def test_posting_limits() -> None:
    clock = FakeClock()
    async with FakeSlack(limits=True, clock=clock) as fake:
        populate(fake)
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
        for n in range(3):
            await client.chat_postMessage(channel=DESK, text=f"burst {n}")
        with pytest.raises(SlackApiError) as error:
            await client.chat_postMessage(channel=DESK, text="too fast")
        assert error.value.response.status_code == 429
        assert int(error.value.response.headers["Retry-After"]) >= 1
        clock.now += 1.0
        await client.chat_postMessage(channel=DESK, text="later")
        assert fake.stats.ratelimited == 1
        assert fake.stats.calls["chat.postMessage"] == 5


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
        pass

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


async def test_missing_scope() -> None:
    async with FakeSlack(scopes=["chat:write"]) as fake:
        populate(fake)
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
        ts = (await client.chat_postMessage(channel=DESK, text="hi"))["ts"]
        with pytest.raises(SlackApiError) as error:
            await client.reactions_add(channel=DESK, timestamp=ts, name="eyes")
        assert error.value.response["error"] == "missing_scope"
        assert error.value.response["needed"] == "reactions:write"


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
        pass

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
