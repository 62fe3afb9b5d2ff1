"""A visitor writes in the site's widget: operators read it in the visitor's topic and
answer there; the answer reaches every open window of the visitor, and a reload (or a window
opened later) shows the whole conversation. Only the entry point's sites, with a token it
signed, get anything; messages are rate-limited per visitor and per address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from storage.models import Conversation, Delivery, DeliveryStatus, Direction, Message
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.telegram import FakeTelegram
from tests.fakes.webchat import SHOP, Window, post, webchat_entry_point

OLGA = 1001


async def _answer(desk: Desk, text: str, name: str = "Web visitor") -> None:
    thread = desk.topic_of(name)["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)


async def test_a_visitor_chats_with_an_operator_and_a_reload_shows_it_all(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    welcome = await window.open()
    assert welcome["type"] == "welcome" and welcome["items"] == []
    assert welcome["look"] == {"title": None, "color": "#1f6feb", "position": "right"}

    sent = await window.say("Hello, is the blue kettle in stock?")
    assert sent["type"] == "sent" and sent["item"]["kind"] == "in"
    await desk.settle()
    assert desk.topic_texts("Web visitor") == ["Hello, is the blue kettle in stock?"]

    # A second tab of the same visitor (the token from localStorage) sees it and what follows.
    second = Window(desk, webchat.public_key, token=window.token)
    assert [i["text"] for i in (await second.open())["items"]] == [
        "Hello, is the blue kettle in stock?"
    ]
    await _answer(desk, "Yes, <b>two</b> left")
    await desk.settle()
    for each in (window, second):
        answer = await each.item("out")
        assert answer["text"] == "Yes, <b>two</b> left"  # plain text: the widget sets it as text
        assert answer["author"] == "Olga"
    await window.close()
    await second.close()

    # A reload: the same token, everything again.
    again = Window(desk, webchat.public_key, token=window.token)
    shown = (await again.open())["items"]
    assert [(i["kind"], i["text"]) for i in shown] == [
        ("in", "Hello, is the blue kettle in stock?"),
        ("out", "Yes, <b>two</b> left"),
    ]
    # The answer was delivered (stored and shown), not left waiting.
    assert not await Delivery.filter(status=DeliveryStatus.PENDING).exists()
    # A window that shows the lines up to the last one gets only what is new.
    later = Window(desk, webchat.public_key, token=window.token)
    assert (await later.open(after=shown[-1]["id"]))["items"] == []
    await again.close()
    await later.close()


async def test_an_answer_while_no_window_is_open_is_shown_at_the_next_visit(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    await window.say("Call me back please")
    await window.close()
    await desk.settle()
    await _answer(desk, "We will call at 5")
    await desk.settle()
    assert await Delivery.filter(target__startswith="customer", status=DeliveryStatus.SENT).count()
    back = Window(desk, webchat.public_key, token=window.token)
    assert [i["text"] for i in (await back.open())["items"]][-1] == "We will call at 5"
    await back.close()


async def test_closing_asks_for_a_rating_that_the_visitor_gives_with_a_button(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    await window.say("Thanks, that is all")
    await desk.settle()
    await _answer(desk, "/close solved")
    await desk.settle()
    question = await window.item("question")
    assert question["buttons"] == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]
    assert question["answered"] is None
    chosen = await window.choose(question["id"], 4)
    assert chosen["ok"] is True
    assert (await window.item("question"))["answered"] == 4
    await desk.settle()
    conversation = await Conversation.get(identity__channel="webchat")
    assert conversation.csat_score == 5
    assert any("5/5" in t for t in desk.topic_texts("Web visitor"))
    assert (await window.choose(question["id"], 0))["ok"] is False  # rated already
    await window.close()


async def test_a_forged_or_another_entry_points_token_gets_nothing(desk: Desk) -> None:
    shop = await webchat_entry_point(desk)
    blog = await webchat_entry_point(desk, "blog")
    window = Window(desk, shop.public_key)
    await window.open()
    await window.say("My address is 1 Main St")
    await window.close()
    await desk.settle()

    version, entry, visitor, signature = window.token.split(".")
    forged = [
        f"{version}.{entry}.{visitor}.{signature[:-2]}AA",  # another signature
        f"{version}.{entry}.{'A' * 22}.{signature}",  # another visitor, same signature
        f"{version}.{blog.entry_point_id}.{visitor}.{signature}",  # another entry point's
    ]
    for token in forged:
        thief = Window(desk, shop.public_key, token=token)
        refused = await thief.open()
        assert refused["type"] == "refused" and refused["code"] == "bad_token", token
        await thief.close()
    # At the other entry point (a page of an origin it allows), the shop's token is nothing.
    other = Window(desk, blog.public_key, token=window.token)
    assert (await other.open())["code"] == "bad_token"
    await other.close()
    status, body, _ = await post(desk, "poll", shop.public_key, {"token": forged[0], "after": 0})
    assert status == 401 and body["error"]["code"] == "bad_token"


async def test_a_page_of_another_origin_is_refused_in_words(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    for origin in ("https://evil.example", "http://shop.example", None):
        headers = {"Origin": origin} if origin else {}
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(
                    f"{desk.url}/webchat/ws?key={webchat.public_key}", headers=headers
                )
        assert refused.value.status == 403
        status, body, headers_back = await post(
            desk, "session", webchat.public_key, {"token": None}, origin=origin
        )
        assert status == 403 and body["error"]["code"] == "origin_not_allowed"
        assert "relaydesk webchat origins shop --add" in body["error"]["message"]
        assert "token" not in body
    status, body, _ = await post(desk, "session", "wc_nosuchkey", {"token": None})
    assert status == 404 and body["error"]["code"] == "unknown_key"


@pytest.fixture
async def strict_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    desk = Desk(
        fake_telegram, database_url, webchat_visitor_per_minute=3, webchat_address_per_minute=5
    )
    await desk.start()
    yield desk
    await desk.stop()


async def test_messages_are_rate_limited_per_visitor_and_per_address(strict_desk: Desk) -> None:
    desk = strict_desk
    webchat = await webchat_entry_point(desk)
    first, second = Window(desk, webchat.public_key), Window(desk, webchat.public_key)
    await first.open()
    await second.open()
    answers = [(await first.say(f"one {n}"))["type"] for n in range(4)]
    assert answers == ["sent", "sent", "sent", "error"]
    refused = await first.say("one more")
    assert refused["code"] == "rate_limited" and "wait" in refused["message"]
    # Another visitor from the same address: the address's 5 a minute are nearly spent.
    answers = [(await second.say(f"two {n}"))["type"] for n in range(3)]
    assert answers == ["sent", "sent", "error"]
    await desk.settle()
    stored = await Message.filter(direction=Direction.IN).values_list("text", flat=True)
    assert sorted(stored) == ["one 0", "one 1", "one 2", "two 0", "two 1"]  # refused: not stored
    assert await Conversation.filter(identity__channel="webchat").count() == 2
    await first.close()
    await second.close()


async def test_long_polling_when_websockets_are_blocked(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    key = webchat.public_key
    status, welcome, headers = await post(desk, "session", key, {"token": None})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == SHOP
    token = welcome["token"]
    status, sent, _ = await post(
        desk, "messages", key, {"token": token, "id": "abcdefgh1", "text": "Over HTTP"}
    )
    assert status == 200 and sent["item"]["text"] == "Over HTTP"
    # A retry of the same message (a lost answer) stores nothing more.
    await post(desk, "messages", key, {"token": token, "id": "abcdefgh1", "text": "Over HTTP"})
    await desk.settle()
    assert desk.topic_texts("Web visitor") == ["Over HTTP"]

    after = sent["item"]["id"]
    waiting = asyncio.create_task(post(desk, "poll", key, {"token": token, "after": after}))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # it waits for news
    await _answer(desk, "Answered over HTTP")
    status, polled, _ = await asyncio.wait_for(waiting, 10)
    assert status == 200
    if not polled["items"]:  # the "read" mark of the visitor's message came first
        assert polled["read"] == after
        body = {"token": token, "after": after, "read": after}
        status, polled, _ = await asyncio.wait_for(post(desk, "poll", key, body), 10)
    assert [i["text"] for i in polled["items"]] == ["Answered over HTTP"]

    # A preflight (a client that sends JSON) is answered for the allowed origin only.
    async with aiohttp.ClientSession() as session:
        for origin, expected in ((SHOP, 204), ("https://evil.example", 403)):
            async with session.options(
                f"{desk.url}/webchat/messages?key={key}",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            ) as answer:
                assert answer.status == expected


async def test_the_widget_script_is_small_and_sets_texts_as_text(desk: Desk) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{desk.url}/webchat/widget.js", headers={"Accept-Encoding": "gzip"}) as got,
    ):
        assert got.status == 200
        assert got.content_type == "application/javascript"
        script = await got.text()
    assert len(script.encode()) < 25_000  # its forms, files and texts in three languages
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "eval(" not in script
