"""The fake Telegram Bot API server's messages, through the real aiogram Bot: sending
every kind of content, files, copying, editing, deleting, reactions and buttons."""

from __future__ import annotations

import struct

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import BufferedInputFile, InputMediaPhoto, ReactionTypeEmoji, ReplyParameters

from tests.fakes.telegram.images import png
from tests.fakes.telegram.testing import (
    AGENT,
    GROUP,
    KEYBOARD,
    USER,
    bot_fixture,  # noqa: F401 (the "bot" fixture)
    fake_fixture,  # noqa: F401 (the "fake" fixture)
    new_topic,
    stored,
)
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.asyncio


async def test_send_photo_get_file_and_download(fake: FakeTelegram, bot: Bot) -> None:
    shot = png(4, 3)
    sent = await bot.send_photo(USER, BufferedInputFile(shot, "shot.png"), caption="c")
    assert sent.photo and sent.caption == "c"
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path and file.file_size == len(shot)
    downloaded = await bot.download(file)
    assert downloaded is not None and downloaded.read() == shot

    again = await bot.send_photo(GROUP, sent.photo[-1].file_id)  # reuse by file_id
    assert again.photo and again.photo[-1].file_unique_id == sent.photo[-1].file_unique_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")

    incoming = fake.user_sends(USER, kind="voice")
    data = await bot.download(incoming["voice"]["file_id"])
    assert data is not None and data.read().startswith(b"fake voice")


async def test_a_photo_telegram_cannot_show_is_refused_as_telegram_refuses_it(
    bot: Bot,
) -> None:
    """sendPhoto: at most 10 MB, an image, width + height at most 10000, sides at most 20:1."""
    for data, words in (
        (b"not an image", "IMAGE_PROCESS_FAILED"),
        (png(210, 10), "PHOTO_INVALID_DIMENSIONS"),
        (png()[:16] + struct.pack(">II", 6000, 4100) + png()[24:], "PHOTO_INVALID_DIMENSIONS"),
        (png() + b"\x00" * (10 * 1024 * 1024), "PHOTO_SAVE_FILE_INVALID"),
    ):
        with pytest.raises(TelegramBadRequest, match=words):
            await bot.send_photo(USER, BufferedInputFile(data, "x.png"))
    assert (await bot.send_document(USER, BufferedInputFile(png(210, 10), "x.png"))).document


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

    photo = await bot.send_photo(USER, upload(png(), "p.png"))
    assert photo.photo
    album = await bot.send_media_group(
        USER,
        [
            InputMediaPhoto(media=upload(png(2, 2), "1.png"), caption="album"),
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

    photo = await bot.send_photo(USER, BufferedInputFile(png(), "p.png"), caption="old")
    await bot.edit_message_caption(chat_id=USER, message_id=photo.message_id, caption="new")
    swapped = await bot.edit_message_media(
        InputMediaPhoto(media=BufferedInputFile(png(3, 3), "q.png"), caption="swapped"),
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
