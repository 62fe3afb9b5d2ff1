"""The fake Telegram Bot API server, exercised through the real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MessageEntity,
    ReactionTypeEmoji,
    ReplyParameters,
)
from aiohttp import web

from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.asyncio

USER = 111
AGENT = 222
GROUP = -1001234567890
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Close", callback_data="close")]]
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def populate(fake: FakeTelegram) -> None:
    fake.add_user(USER, "Alice", last_name="Smith", username="alice")
    fake.add_user(AGENT, "Bob", username="agent_bob")
    fake.add_forum(GROUP, "Support desk", members={AGENT: "administrator"})


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    populate(fake)
    await fake.start()
    yield fake
    await fake.close()
    assert fake.crashes == []


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    api = TelegramAPIServer.from_base(fake.base_url)
    bot = Bot(fake.token, session=AiohttpSession(api=api))
    yield bot
    await bot.session.close()


def stored(fake: FakeTelegram, chat_id: int, message_id: int) -> dict[str, Any]:
    message = fake.message(chat_id, message_id)
    assert message is not None, f"message {message_id} is not in chat {chat_id}"
    return message


async def new_topic(bot: Bot, name: str = "Alice Smith") -> int:
    topic = await bot.create_forum_topic(GROUP, name)
    return topic.message_thread_id


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


async def test_send_message_into_topic(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    assert fake.topics(GROUP)[0]["name"] == "Alice Smith"

    sent = await bot.send_message(GROUP, "Ticket opened", message_thread_id=thread)
    assert sent.chat.id == GROUP and sent.chat.is_forum
    assert sent.is_topic_message and sent.message_thread_id == thread
    # Telegram's quirk: a plain topic message "replies" to the topic's service message
    assert sent.reply_to_message and sent.reply_to_message.message_id == thread
    assert sent.reply_to_message.forum_topic_created

    agent = fake.member_sends(GROUP, AGENT, "On it", thread_id=thread)
    reply = await bot.send_message(
        GROUP, "ack", reply_parameters=ReplyParameters(message_id=agent["message_id"])
    )
    assert reply.message_thread_id == thread  # a reply lands in the replied message's topic
    assert reply.reply_to_message and reply.reply_to_message.text == "On it"

    assert [m["text"] for m in fake.bot_messages(GROUP, thread)] == ["Ticket opened", "ack"]
    shown = fake.chat_messages(GROUP, thread, include_service=True)
    assert "forum_topic_created" in shown[0] and len(shown) == 4
    # only the agent's message reached the bot; the service message did not
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["On it"]
    assert updates[0].message and updates[0].message.is_topic_message


async def test_copy_message_keeps_photo_and_caption(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    original = fake.user_sends(USER, photo=True, caption="broken screen")
    copied = await bot.copy_message(
        GROUP, USER, original["message_id"], message_thread_id=thread, reply_markup=KEYBOARD
    )
    copy = stored(fake, GROUP, copied.message_id)
    assert copy["photo"] == original["photo"]
    assert copy["caption"] == "broken screen"
    assert copy["from"]["id"] == fake.bot_id and copy["message_thread_id"] == thread
    assert copy["reply_markup"] == KEYBOARD.model_dump(exclude_none=True)

    renamed = await bot.copy_message(
        GROUP, USER, original["message_id"], message_thread_id=thread, caption="new caption"
    )
    assert stored(fake, GROUP, renamed.message_id)["caption"] == "new caption"


async def test_copy_messages_keeps_album(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    album = fake.user_sends_album(USER, 3, caption="three shots")
    text = fake.user_sends(USER, "and a note")
    ids = [m["message_id"] for m in album] + [text["message_id"]]
    copied = await bot.copy_messages(GROUP, USER, ids, message_thread_id=thread)
    assert len(copied) == 4

    copies = [stored(fake, GROUP, c.message_id) for c in copied]
    groups = {m.get("media_group_id") for m in copies[:3]}
    assert len(groups) == 1 and None not in groups
    assert groups != {album[0]["media_group_id"]}  # a fresh album id
    assert "media_group_id" not in copies[3] and copies[3]["text"] == "and a note"
    assert copies[0]["caption"] == "three shots"
    assert [m["photo"] for m in copies[:3]] == [m["photo"] for m in album]

    with pytest.raises(TelegramBadRequest, match="increasing"):
        await bot.copy_messages(GROUP, USER, [ids[1], ids[0]], message_thread_id=thread)


async def test_deleted_and_closed_topics(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    await bot.send_message(GROUP, "first", message_thread_id=thread)
    assert await bot.delete_forum_topic(GROUP, thread)
    assert fake.topics(GROUP)[0]["is_deleted"] and fake.chat_messages(GROUP, thread) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(GROUP, "lost", message_thread_id=thread)

    by_hand = await new_topic(bot, "Second")
    fake.delete_topic(GROUP, by_hand)
    photo = fake.user_sends(USER, photo=True)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.copy_message(GROUP, USER, photo["message_id"], message_thread_id=by_hand)
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.reopen_forum_topic(GROUP, by_hand)

    closed = await new_topic(bot, "Third")
    service = fake.close_topic(GROUP, closed)
    assert service["from"]["id"] == AGENT and "forum_topic_closed" in service
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(GROUP, "closed", message_thread_id=closed)
    assert await bot.reopen_forum_topic(GROUP, closed)
    assert (await bot.send_message(GROUP, "open", message_thread_id=closed)).message_id


async def test_forum_topic_management(fake: FakeTelegram, bot: Bot) -> None:
    thread = await new_topic(bot)
    assert await bot.edit_forum_topic(GROUP, thread, name="Alice (VIP)")
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(GROUP, thread, name="Alice (VIP)")
    assert await bot.close_forum_topic(GROUP, thread)
    assert fake.topic(GROUP, "Alice (VIP)") == {
        "message_thread_id": thread,
        "name": "Alice (VIP)",
        "icon_color": 7322096,
        "icon_custom_emoji_id": None,
        "is_closed": True,
        "is_deleted": False,
        "created_by_bot": True,
    }
    services = [
        next(key for key in m if key.startswith("forum_topic_"))
        for m in fake.chat_messages(GROUP, thread, include_service=True)
    ]
    assert services == ["forum_topic_created", "forum_topic_edited", "forum_topic_closed"]

    stickers = await bot.get_forum_topic_icon_stickers()
    assert stickers and all(s.custom_emoji_id for s in stickers)
    member = await bot.get_chat_member(GROUP, fake.bot_id)
    assert isinstance(member, ChatMemberAdministrator) and member.can_manage_topics
    chat = await bot.get_chat(GROUP)
    assert chat.is_forum and chat.title == "Support desk"

    fake.set_bot_member(GROUP, can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await new_topic(bot, "nope")
    fake.add_forum(-1009999, "Plain group", is_forum=False)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-1009999, "nope")


async def test_blocked_user_and_missing_things(fake: FakeTelegram, bot: Bot) -> None:
    fake.block_bot(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "are you there?")
    fake.user_sends(USER, "/start")  # writing to the bot unblocks it
    await bot.send_message(USER, "welcome back")

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-100555, "nobody")
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(GROUP, USER, 999)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(message_id=999))
    thread = await new_topic(bot)
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await bot.copy_message(USER, GROUP, thread)  # the forum_topic_created message


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


async def test_send_photo_get_file_and_download(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_photo(USER, BufferedInputFile(b"\x89PNG fake", "shot.png"), caption="c")
    assert sent.photo and sent.caption == "c"
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path and file.file_size == 9
    downloaded = await bot.download(file)
    assert downloaded is not None and downloaded.read() == b"\x89PNG fake"

    again = await bot.send_photo(GROUP, sent.photo[-1].file_id)  # reuse by file_id
    assert again.photo and again.photo[-1].file_unique_id == sent.photo[-1].file_unique_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")

    incoming = fake.user_sends(USER, kind="voice")
    data = await bot.download(incoming["voice"]["file_id"])
    assert data is not None and data.read().startswith(b"fake voice")


async def test_send_all_content_kinds(fake: FakeTelegram, bot: Bot) -> None:
    upload = BufferedInputFile
    video = await bot.send_video(USER, upload(b"v", "v.mp4"), duration=9)
    assert video.video and video.video.duration == 9
    animation = await bot.send_animation(USER, upload(b"g", "g.gif.mp4"))
    assert animation.animation and animation.document  # as in Telegram
    document = await bot.send_document(USER, upload(b"d", "report.pdf"))
    assert document.document and document.document.file_name == "report.pdf"
    audio = await bot.send_audio(USER, upload(b"a", "a.mp3"), title="T")
    assert audio.audio and audio.audio.title == "T"
    assert (await bot.send_voice(USER, upload(b"o", "o.ogg"))).voice
    assert (await bot.send_video_note(USER, upload(b"n", "n.mp4"))).video_note
    assert (await bot.send_sticker(USER, upload(b"s", "s.webp"))).sticker
    location = await bot.send_location(USER, 1.5, 2.5)
    assert location.location and location.location.latitude == 1.5
    venue = await bot.send_venue(USER, 1.0, 2.0, "Cafe", "Main st")
    assert venue.venue and venue.location
    contact = await bot.send_contact(USER, "+100", "Jo")
    assert contact.contact and contact.contact.phone_number == "+100"
    poll = await bot.send_poll(USER, "Rate us", ["good", "bad"])
    assert poll.poll and [o.text for o in poll.poll.options] == ["good", "bad"]
    dice = await bot.send_dice(USER)
    assert dice.dice and 1 <= dice.dice.value <= 6

    photo = await bot.send_photo(USER, upload(b"p", "p.jpg"))
    assert photo.photo
    album = await bot.send_media_group(
        USER,
        [
            InputMediaPhoto(media=upload(b"1", "1.jpg"), caption="album"),
            InputMediaPhoto(media=photo.photo[-1].file_id),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "album"

    # everything a person can send parses as aiogram objects and can be copied
    thread = await new_topic(bot)
    kinds = ["text", "photo", "video", "animation", "document", "audio", "voice"]
    kinds += ["video_note", "sticker", "location", "venue", "contact", "poll", "dice"]
    for kind in kinds:
        message = fake.user_sends(USER, "caption", kind=kind)
        await bot.copy_message(GROUP, USER, message["message_id"], message_thread_id=thread)
    updates = await bot.get_updates()
    assert [u.message.content_type for u in updates if u.message] == kinds
    copies = fake.bot_messages(GROUP, thread)
    assert len(copies) == len(kinds) and copies[-1]["dice"]["emoji"] == "🎲"
    original_poll = updates[-2].message.poll if updates[-2].message else None
    assert original_poll and copies[-2]["poll"]["id"] != original_poll.id  # a new poll


async def test_edits(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Status: open", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text(
        "Status: closed", chat_id=USER, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert not isinstance(edited, bool) and edited.edit_date and edited.text == "Status: closed"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Status: closed", chat_id=USER, message_id=sent.message_id, reply_markup=KEYBOARD
        )
    # leaving out reply_markup drops the keyboard, as Telegram does
    await bot.edit_message_text("Status: closed", chat_id=USER, message_id=sent.message_id)
    assert "reply_markup" not in (fake.message(USER, sent.message_id) or {})

    photo = await bot.send_photo(USER, BufferedInputFile(b"p", "p.jpg"), caption="old")
    await bot.edit_message_caption(chat_id=USER, message_id=photo.message_id, caption="new")
    swapped = await bot.edit_message_media(
        InputMediaPhoto(media=BufferedInputFile(b"q", "q.jpg"), caption="swapped"),
        chat_id=USER,
        message_id=photo.message_id,
    )
    assert not isinstance(swapped, bool) and swapped.caption == "swapped"
    with pytest.raises(TelegramBadRequest, match="there is no caption"):
        await bot.edit_message_caption(chat_id=USER, message_id=sent.message_id, caption="x")

    incoming = fake.user_sends(USER, "mine")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("hijack", chat_id=USER, message_id=incoming["message_id"])
    assert await bot.delete_message(USER, incoming["message_id"])
    assert fake.message(USER, incoming["message_id"]) is None


async def test_reactions_and_callback_queries(fake: FakeTelegram, bot: Bot) -> None:
    incoming = fake.user_sends(USER, "thanks!")
    thumbs = [ReactionTypeEmoji(emoji="👍")]
    assert await bot.set_message_reaction(USER, incoming["message_id"], thumbs)
    assert fake.reactions(USER, incoming["message_id"]) == [{"type": "emoji", "emoji": "👍"}]
    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(
            USER, incoming["message_id"], [ReactionTypeEmoji(emoji="✅")]
        )

    card = await bot.send_message(GROUP, "Ticket #1", reply_markup=KEYBOARD)
    pressed = fake.press_button(GROUP, card.message_id, AGENT, "close")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query and query.data == "close" and query.from_user.id == AGENT
    assert query.message and query.message.message_id == card.message_id
    assert await bot.answer_callback_query(query.id, text="Closed")
    assert fake.callback_answers[pressed["id"]]["text"] == "Closed"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


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


def entities_of(entities: list[MessageEntity] | None) -> list[dict[str, Any]]:
    return [entity.model_dump(exclude_none=True) for entity in entities or []]


async def test_parse_mode_html(fake: FakeTelegram, bot: Bot) -> None:
    html = '<b>Ticket</b> <a href="https://example.com/t/1">#1</a>: &lt;b&gt;not bold&lt;/b&gt;'
    sent = await bot.send_message(USER, html, parse_mode="HTML")
    assert sent.text == "Ticket #1: <b>not bold</b>"  # escaped markup stays literal text
    assert entities_of(sent.entities) == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 7, "length": 2, "url": "https://example.com/t/1"},
    ]
    assert stored(fake, USER, sent.message_id)["entities"] == [
        {"offset": 0, "length": 6, "type": "bold"},
        {"offset": 7, "length": 2, "type": "text_link", "url": "https://example.com/t/1"},
    ]

    # offsets count UTF-16 code units: the emoji before the bold part takes two
    sent = await bot.send_message(USER, "🎫 New: <b>Alice</b> &amp; <i>Bob</i>", parse_mode="HTML")
    assert sent.text == "🎫 New: Alice & Bob"
    assert entities_of(sent.entities) == [
        {"type": "bold", "offset": 8, "length": 5},
        {"type": "italic", "offset": 16, "length": 3},
    ]
    assert sent.entities and sent.entities[0].extract_from(sent.text) == "Alice"

    # every supported tag; a tg://user link to a known user is a text_mention
    html = (
        "<strong>s</strong><em>e</em><ins>i</ins><s>x</s><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span> <code>c</code> <a href="tg://user?id=111">Alice</a>'
        '\n<pre><code class="language-python">print(1)</code></pre>'
        "\n<blockquote expandable>quote</blockquote> &#128512;&#x21;"
    )
    sent = await bot.send_message(USER, html, parse_mode="HTML")
    assert sent.text == "seixdpq c Alice\nprint(1)\nquote 😀!"
    assert entities_of(sent.entities) == [
        {"type": "bold", "offset": 0, "length": 1},
        {"type": "italic", "offset": 1, "length": 1},
        {"type": "underline", "offset": 2, "length": 1},
        {"type": "strikethrough", "offset": 3, "length": 2},  # <s> and <del> merge
        {"type": "spoiler", "offset": 5, "length": 2},
        {"type": "code", "offset": 8, "length": 1},
        {
            "type": "text_mention",
            "offset": 10,
            "length": 5,
            "user": {
                "id": USER,
                "is_bot": False,
                "first_name": "Alice",
                "last_name": "Smith",
                "username": "alice",
                "language_code": "en",
            },
        },
        {"type": "pre", "offset": 16, "length": 8, "language": "python"},
        {"type": "expandable_blockquote", "offset": 25, "length": 5},
    ]

    # a set parse_mode wins over explicit entities, as in the Bot API
    both = await bot.send_message(
        USER,
        "<i>x</i>",
        parse_mode="HTML",
        entities=[MessageEntity(type="bold", offset=0, length=8)],
    )
    assert both.text == "x" and entities_of(both.entities) == [
        {"type": "italic", "offset": 0, "length": 1}
    ]
    plain = await bot.send_message(USER, "<i>x</i>")  # no parse_mode: literal text
    assert plain.text == "<i>x</i>" and plain.entities is None

    edited = await bot.edit_message_text(
        "<b>Closed</b>", chat_id=USER, message_id=plain.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool) and edited.text == "Closed"
    assert entities_of(edited.entities) == [{"type": "bold", "offset": 0, "length": 6}]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>Closed</b>", chat_id=USER, message_id=plain.message_id, parse_mode="HTML"
        )


async def test_parse_mode_captions(fake: FakeTelegram, bot: Bot) -> None:
    photo = await bot.send_photo(
        USER,
        BufferedInputFile(b"p", "p.jpg"),
        caption="<b>Screenshot</b> of the <i>error</i> &amp; log",
        parse_mode="HTML",
    )
    assert photo.caption == "Screenshot of the error & log"
    assert entities_of(photo.caption_entities) == [
        {"type": "bold", "offset": 0, "length": 10},
        {"type": "italic", "offset": 18, "length": 5},
    ]
    assert stored(fake, USER, photo.message_id)["caption_entities"][1] == {
        "offset": 18,
        "length": 5,
        "type": "italic",
    }

    await bot.edit_message_caption(
        chat_id=USER, message_id=photo.message_id, caption="*new*", parse_mode="MarkdownV2"
    )
    assert stored(fake, USER, photo.message_id)["caption_entities"] == [
        {"offset": 0, "length": 3, "type": "bold"}
    ]
    assert photo.photo
    album = await bot.send_media_group(
        USER,
        [
            InputMediaPhoto(media=photo.photo[-1].file_id, caption="<u>one</u>", parse_mode="HTML"),
            InputMediaPhoto(media=photo.photo[-1].file_id, caption="<u>two</u>"),
        ],
    )
    assert album[0].caption == "one"
    assert entities_of(album[0].caption_entities) == [
        {"type": "underline", "offset": 0, "length": 3}
    ]
    assert album[1].caption == "<u>two</u>" and album[1].caption_entities is None
    swapped = await bot.edit_message_media(
        InputMediaPhoto(media=photo.photo[-1].file_id, caption="_swapped_", parse_mode="Markdown"),
        chat_id=USER,
        message_id=photo.message_id,
    )
    assert not isinstance(swapped, bool) and swapped.caption == "swapped"
    assert entities_of(swapped.caption_entities) == [{"type": "italic", "offset": 0, "length": 7}]

    original = fake.user_sends(USER, photo=True, caption="theirs")
    copied = await bot.copy_message(
        GROUP, USER, original["message_id"], caption="<code>#42</code>", parse_mode="HTML"
    )
    copy = stored(fake, GROUP, copied.message_id)
    assert copy["caption"] == "#42"
    assert copy["caption_entities"] == [{"offset": 0, "length": 3, "type": "code"}]

    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, photo.photo[-1].file_id, caption="<b>" + "x" * 1025 + "</b>")
    # markup doesn't count: 1024 characters of text after parsing are fine
    long = await bot.send_photo(
        USER, photo.photo[-1].file_id, caption="<b>" + "x" * 1024 + "</b>", parse_mode="HTML"
    )
    assert long.caption == "x" * 1024


async def test_parse_mode_markdown(bot: Bot) -> None:
    sent = await bot.send_message(
        USER,
        "*bold* _italic_ `code` [link](https://t.me/x) v1\\.0 🎉 __u__",
        parse_mode="MarkdownV2",
    )
    assert sent.text == "bold italic code link v1.0 🎉 u"
    assert entities_of(sent.entities) == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "code", "offset": 12, "length": 4},
        {"type": "text_link", "offset": 17, "length": 4, "url": "https://t.me/x"},
        {"type": "underline", "offset": 30, "length": 1},
    ]
    legacy = await bot.send_message(
        USER, "*bold* _it_ `x` snake\\_case 1.0!", parse_mode="Markdown"
    )
    assert legacy.text == "bold it x snake_case 1.0!"
    assert entities_of(legacy.entities) == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 2},
        {"type": "code", "offset": 8, "length": 1},
    ]

    reserved = "can't parse entities: Character '.' is reserved and must be escaped with the "
    with pytest.raises(TelegramBadRequest, match=re.escape(reserved)):
        await bot.send_message(USER, "Version 1.0", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="Can't find end of Bold entity at byte offset 0"):
        await bot.send_message(USER, "*bold", parse_mode="MarkdownV2")
    with pytest.raises(TelegramBadRequest, match="Can't find end of the entity starting at"):
        await bot.send_message(USER, "_oops", parse_mode="Markdown")
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):
        await bot.send_message(USER, "x", parse_mode="BBCode")


async def test_parse_mode_errors_and_limits(fake: FakeTelegram, bot: Bot) -> None:
    bad = {
        "<b>unclosed": 'Can\'t find end tag corresponding to start tag "b"',
        "<b>x</i>": 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
        "2 < 3 <br>": 'Unsupported start tag "" at byte offset 2',
        "ok <marquee>x</marquee>": 'Unsupported start tag "marquee" at byte offset 3',
        "😀 <span>x</span>": 'Tag "span" must have class "tg-spoiler" at byte offset 5',
        "x</b>": "Unexpected end tag at byte offset 1",
    }
    for html, error in bad.items():
        with pytest.raises(TelegramBadRequest) as caught:
            await bot.send_message(USER, html, parse_mode="HTML")
        assert caught.value.message == f"Bad Request: can't parse entities: {error}"
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(-100555, "<b>", parse_mode="HTML")  # parsed before the chat
    assert fake.bot_messages(USER) == []

    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "😀" * 2049)  # 2049 characters, 4098 UTF-16 units
    assert (await bot.send_message(USER, "😀" * 2048)).text == "😀" * 2048
    fits = await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert fits.text == "a" * 4096 and entities_of(fits.entities)[0]["length"] == 4096

    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "")
    with pytest.raises(TelegramBadRequest, match="message must be non-empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
