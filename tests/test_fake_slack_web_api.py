"""The fake Slack's Web API, exercised through the real slack_sdk AsyncWebClient."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack
from tests.fakes.slack.testing import (
    ALICE,
    BOB,
    BUTTONS,
    DESK,
    LOBBY,
    SECRET,
    FakeClock,
    client_fixture,  # noqa: F401 (the "client" fixture)
    fake_fixture,  # noqa: F401 (the "fake" fixture)
    populate,
)

pytestmark = pytest.mark.asyncio


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


async def test_missing_scope() -> None:
    async with FakeSlack(scopes=["chat:write"]) as fake:
        populate(fake)
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
        ts = (await client.chat_postMessage(channel=DESK, text="hi"))["ts"]
        with pytest.raises(SlackApiError) as error:
            await client.reactions_add(channel=DESK, timestamp=ts, name="eyes")
        assert error.value.response["error"] == "missing_scope"
        assert error.value.response["needed"] == "reactions:write"
