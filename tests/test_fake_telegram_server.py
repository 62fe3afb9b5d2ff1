"""The fake Telegram Bot API server's plumbing, through the real aiogram Bot over HTTP:
the wire protocol, getUpdates and webhooks, injected errors and flood limits."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError, TelegramRetryAfter, TelegramServerError
from aiogram.types import ReactionTypeEmoji
from aiohttp import web

from tests.fakes.telegram.testing import (
    GROUP,
    KEYBOARD,
    USER,
    bot_fixture,  # noqa: F401 (the "bot" fixture)
    fake_fixture,  # noqa: F401 (the "fake" fixture)
    new_topic,
    populate,
)
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.asyncio


async def test_get_me_and_wire_errors(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (fake.bot_id, "relaydesk_bot", True)

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}/bot1:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{fake.base_url}/bot{fake.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found"
        # a JSON body works too, and method names match case-insensitively
        body = {"chat_id": USER, "text": "json", "reply_markup": KEYBOARD.model_dump()}
        async with http.post(f"{fake.base_url}/bot{fake.token}/SENDMESSAGE", json=body) as resp:
            result = (await resp.json())["result"]
    assert result["text"] == "json"
    assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "close"
    assert fake.stats.calls["getMe"] == 1
    assert fake.calls_to("sendMessage")[0]["reply_markup"] == KEYBOARD.model_dump()


async def test_polling_confirms_and_long_polls(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.user_sends(USER, "hello")
    fake.user_sends(USER, photo=True, caption="my screenshot")
    updates = await bot.get_updates()
    assert [u.message.content_type for u in updates if u.message] == ["text", "photo"]
    assert updates[0].message and updates[0].message.text == "hello"
    assert updates[0].message.chat.type == "private"
    assert updates[0].message.from_user and updates[0].message.from_user.username == "alice"
    assert updates[1].message and updates[1].message.photo
    assert updates[1].update_id == updates[0].update_id + 1

    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    assert fake.pending_updates() == []

    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    fake.user_edits(USER, first["message_id"], "hello again")
    woken = await asyncio.wait_for(poll, 1)
    assert woken[0].edited_message and woken[0].edited_message.text == "hello again"
    assert woken[0].edited_message.edit_date is not None

    # a second poller terminates the first one, as on the real server
    older = asyncio.create_task(bot.get_updates(offset=woken[0].update_id + 1, timeout=5))
    await asyncio.sleep(0.05)
    newer = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(older, 1)
    fake.user_sends(USER, "wake up")
    assert len(await asyncio.wait_for(newer, 1)) == 1


async def test_fail_next(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendmessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after == 7
    assert "retry after 7" in caught.value.message
    assert (await bot.send_message(USER, "hi")).text == "hi"

    fake.fail_next("*", times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    await bot.get_me()

    fake.fail_next("sendMessage", status=502, description="Bad Gateway", apply=True)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER, "sent anyway")
    assert fake.bot_messages(USER)[-1]["text"] == "sent anyway"
    assert fake.stats.too_many_requests == 1


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_rate_limits() -> None:
    clock = FakeClock()
    fake = FakeTelegram(limits=True, clock=clock)
    populate(fake)
    for user_id in range(1000, 1031):
        fake.add_user(user_id, f"User {user_id}")
    await fake.start()
    bot = fake.make_bot()
    try:
        thread = await new_topic(bot)  # the topic's service message counts too
        for index in range(19):
            clock.now += 1
            await bot.send_message(GROUP, f"#{index}", message_thread_id=thread)
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(GROUP, "21st")
        assert caught.value.retry_after == 41  # the first message frees its slot at t+60
        await bot.get_chat(GROUP)  # getters and reactions are not limited
        await bot.set_message_reaction(GROUP, thread + 1, [ReactionTypeEmoji(emoji="👍")])
        clock.now += 41
        await bot.send_message(GROUP, "later")

        for _ in range(3):  # private chats: 1 per second with a burst of 3
            await bot.send_message(USER, "burst")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(USER, "too fast")
        assert caught.value.retry_after == 1
        clock.now += 1
        await bot.send_message(USER, "ok again")

        clock.now += 10  # 30 messages per second over all chats
        for user_id in range(1000, 1030):
            await bot.send_message(user_id, "broadcast")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(1030, "broadcast")
        assert fake.stats.too_many_requests == 3
        assert fake.stats.messages_per_chat[GROUP] == 21
    finally:
        await bot.session.close()
        await fake.close()


async def test_webhook_delivery(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def handler(request: web.Request) -> web.Response:
        update = await request.json()
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update))
        if len(received) == 1:
            return web.Response(status=500)  # the fake must re-send this one
        if update.get("message", {}).get("text") == "ping":
            reply = {"method": "sendMessage", "chat_id": USER, "text": "pong"}
            return web.json_response(reply)  # a method call in the webhook answer
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        fake.user_sends(USER, "before")
        await bot.set_webhook(f"http://{host}:{port}/hook", secret_token="s3cret")
        fake.user_sends(USER, "ping")
        await fake.wait_idle(timeout=5)

        texts = [update["message"]["text"] for _, update in received]
        assert texts == ["before", "before", "ping"]
        assert {secret for secret, _ in received} == {"s3cret"}
        assert fake.bot_messages(USER)[-1]["text"] == "pong"
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert info.last_error_message and "500" in info.last_error_message
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()

        await bot.delete_webhook()
        fake.user_sends(USER, "polling again")
        assert len(await bot.get_updates()) == 1
    finally:
        await runner.cleanup()


async def test_webhook_takes_chats_at_once_and_each_chat_in_order(
    fake: FakeTelegram, bot: Bot
) -> None:
    """As Telegram: up to max_connections requests at once, one chat's updates one by one."""
    in_flight: dict[int, int] = {}
    most_at_once = 0
    received: dict[int, list[str]] = {}

    async def handler(request: web.Request) -> web.Response:
        nonlocal most_at_once
        message = (await request.json())["message"]
        chat = message["chat"]["id"]
        in_flight[chat] = in_flight.get(chat, 0) + 1
        assert in_flight[chat] == 1, "two updates of one chat at once"
        most_at_once = max(most_at_once, sum(in_flight.values()))
        await asyncio.sleep(0.05)
        received.setdefault(chat, []).append(message["text"])
        in_flight[chat] -= 1
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    users = range(USER + 1, USER + 11)
    try:
        for user in users:
            fake.add_user(user, f"Customer {user}")
        await bot.set_webhook(f"http://{host}:{port}/hook", max_connections=4)
        for n in range(3):
            for user in users:
                fake.user_sends(user, f"{user}-{n}")
        await fake.wait_idle(timeout=5)

        assert most_at_once == 4  # the webhook's max_connections, not one, not all ten
        assert received == {user: [f"{user}-{n}" for n in range(3)] for user in users}
    finally:
        await runner.cleanup()
