"""While a visitor types, operators see "typing…" in the visitor's topic (Telegram's
sendChatAction, at most one every 5 seconds, never queued behind messages); once an operator
has answered or taken the conversation, the visitor's messages show "read" in every window,
over the WebSocket and the long poll, and again after a reload."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.waiting import eventually
from tests.fakes.webchat import Window, post, webchat_entry_point

OLGA = 1001


async def _operator_types(desk: Desk, text: str) -> None:
    thread = desk.topic_of("Web visitor")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)


async def _read_mark(window: Window) -> dict[str, Any]:
    """The next line shown as read."""
    while True:
        item = await window.item("in")
        if item.get("read"):
            return item


async def test_a_visitor_typing_shows_typing_in_the_topic_once_per_five_seconds(
    desk: Desk,
) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    await window.typing()  # no conversation yet: nowhere to show it
    await window.say("Hello, I have a question about")
    await desk.settle()
    thread = desk.topic_of("Web visitor")["message_thread_id"]
    messages_before = len(desk.topic_messages("Web visitor"))

    await window.typing()
    await eventually(lambda: bool(desk.fake.calls_to("sendChatAction")), within=5)
    await window.typing()  # within 5 seconds: dropped, not delayed
    await asyncio.sleep(0.5)
    calls = desk.fake.calls_to("sendChatAction")
    assert len(calls) == 1
    assert calls[0]["action"] == "typing"
    assert str(calls[0]["chat_id"]) == str(OPERATOR_CHAT)
    assert str(calls[0]["message_thread_id"]) == str(thread)
    assert len(desk.topic_messages("Web visitor")) == messages_before  # not a message
    await window.close()


async def test_read_marks_after_taking_and_answering_reach_the_window_and_a_reload(
    desk: Desk,
) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    first = (await window.say("Is the kettle in stock?"))["item"]
    assert "read" not in first
    await desk.settle()

    await _operator_types(desk, "/take")
    assert (await _read_mark(window))["id"] == first["id"]
    await desk.settle()

    second = (await window.say("And the blue one?"))["item"]
    await desk.settle()
    await _operator_types(desk, "Both are in stock")
    assert (await _read_mark(window))["id"] == second["id"]
    assert (await window.item("out"))["text"] == "Both are in stock"
    await desk.settle()
    await window.close()

    again = Window(desk, webchat.public_key, token=window.token)
    welcome = await again.open()
    assert welcome["read"] == second["id"]
    assert [i.get("read", False) for i in welcome["items"] if i["kind"] == "in"] == [True, True]
    await again.close()


async def test_a_read_mark_reaches_a_long_poll(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    key = webchat.public_key
    _, welcome, _ = await post(desk, "session", key, {"token": None})
    token = welcome["token"]
    assert welcome["read"] == 0
    _, sent, _ = await post(
        desk, "messages", key, {"token": token, "id": "poll-0001", "text": "Hi"}
    )
    await desk.settle()
    after = sent["item"]["id"]
    waiting = asyncio.create_task(
        post(desk, "poll", key, {"token": token, "after": after, "read": 0})
    )
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await _operator_types(desk, "Hello, how can I help?")
    status, polled, _ = await asyncio.wait_for(waiting, 10)
    assert status == 200 and polled["read"] == after
    # Typing over HTTP is answered at once, with nothing to wait for.
    status, typed, _ = await post(desk, "typing", key, {"token": token})
    assert status == 200 and typed == {"type": "typing"}
    await desk.settle()
