"""The fake Telegram Bot API server's parse modes (HTML, MarkdownV2, Markdown) and
text limits, through the real aiogram Bot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InputMediaPhoto, MessageEntity

from tests.fakes.telegram.images import png
from tests.fakes.telegram.testing import (
    GROUP,
    USER,
    bot_fixture,  # noqa: F401 (the "bot" fixture)
    fake_fixture,  # noqa: F401 (the "fake" fixture)
    stored,
)
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.asyncio


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
        BufferedInputFile(png(), "p.png"),
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
