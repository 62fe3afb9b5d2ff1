"""Files in the web chat: a visitor sends a picture from the widget and operators see it as
a photo in the visitor's topic (a first file carries the pre-chat form's name and email as
a text does); a file too large or of a refused kind is refused in words and nothing is
kept; an operator's document in the topic reaches the visitor's window as a link that
downloads the same bytes, and works for nobody else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.directory.webchat_entry_points import set_form
from storage.models import Contact, Message, StoredFile
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.images import png
from tests.fakes.webchat import Window, download, send_file, webchat_entry_point

OLGA = 1001
LIMIT = 64 * 1024


@pytest.fixture
async def small_files_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    desk = Desk(fake_telegram, database_url, webchat_max_file_bytes=LIMIT)
    await desk.start()
    yield desk
    await desk.stop()


async def test_a_visitor_sends_a_picture_and_operators_see_a_photo(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    await window.say("Hello, my kettle arrived broken")
    picture = png(40, 30)

    status, sent = await send_file(
        desk,
        webchat.public_key,
        window.token,
        "kettle.png",
        picture,
        mime="image/png",
        text="Look at the lid",
    )

    assert status == 200 and sent["type"] == "sent"
    line = sent["item"]
    assert line["kind"] == "in" and line["text"] == "Look at the lid"
    [shown] = line["files"]
    assert (shown["name"], shown["type"], shown["size"]) == (
        "kettle.png",
        "image/png",
        len(picture),
    )
    # The visitor's other windows show it too, over the WebSocket.
    pushed = await window.item("in")
    while pushed["id"] != line["id"]:  # earlier lines first
        pushed = await window.item("in")
    assert pushed["files"][0]["name"] == "kettle.png"
    await desk.settle()
    photos = [m for m in desk.topic_messages("Web visitor") if "photo" in m]
    assert len(photos) == 1 and photos[0]["caption"] == "Look at the lid"
    uploaded = desk.fake.files.get(photos[0]["photo"][-1]["file_id"])
    assert uploaded is not None and uploaded.data == picture
    # The window's link shows the picture itself.
    status, body, headers = await download(desk, shown["url"])
    assert status == 200 and body == picture
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"].startswith("inline;")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert await Message.filter(kind="photo").count() == 1
    await window.close()


async def test_a_first_message_that_is_a_file_opens_the_topic(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    text = b"order 1042: two kettles\n"
    status, _ = await send_file(desk, webchat.public_key, window.token, "order.txt", text)
    assert status == 200
    await desk.settle()
    [document] = [m["document"] for m in desk.topic_messages("Web visitor") if "document" in m]
    assert document["file_name"] == "order.txt"
    assert desk.fake.files.get(document["file_id"]).data == text  # type: ignore[union-attr]
    await window.close()


async def test_a_first_file_carries_the_pre_chat_forms_name_and_email(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    await set_form("shop", name="required", email="optional")
    window = Window(desk, webchat.public_key)
    await window.open()
    picture = png(20, 20)

    status, refused = await send_file(
        desk, webchat.public_key, window.token, "a.png", picture, language="ru"
    )
    assert status == 400 and refused["error"]["code"] == "form_required"
    assert refused["error"]["field"] == "name"
    assert "имя" in refused["error"]["message"]
    assert await StoredFile.all().count() == 0 and not await Contact.exists()

    status, sent = await send_file(
        desk,
        webchat.public_key,
        window.token,
        "a.png",
        picture,
        form={"name": "Anna Smith", "email": "anna@example.com"},
    )
    assert status == 200 and sent["item"]["files"][0]["name"] == "a.png"
    await desk.settle()
    assert [m for m in desk.topic_messages("Anna Smith") if "photo" in m]
    contact = await Contact.get()
    assert (contact.name, contact.email) == ("Anna Smith", "anna@example.com")
    await window.close()


@pytest.mark.parametrize(
    ("name", "data", "code", "status"),
    [
        ("manual.pdf", b"%PDF-1.7\n" + b"x" * LIMIT, "file_too_big", 413),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "file_type", 415),
        ("photo.png", b"MZ\x90\x00" + b"\x00" * 100, "file_type", 415),  # a program renamed
        ("page.html", b"<html><script>alert(1)</script></html>", "file_type", 415),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type", 415),
        ("notes.txt", b"<script>alert(1)</script>", "file_type", 415),
    ],
)
async def test_a_file_too_large_or_of_a_refused_kind_is_refused_and_nothing_is_kept(
    small_files_desk: Desk, name: str, data: bytes, code: str, status: int
) -> None:
    desk = small_files_desk
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()

    answer_status, answer = await send_file(desk, webchat.public_key, window.token, name, data)

    assert answer_status == status and answer["error"]["code"] == code
    assert answer["error"]["message"]
    assert await StoredFile.all().count() == 0
    assert await Message.all().count() == 0
    await window.close()


async def test_a_file_with_no_valid_token_or_from_another_site_is_refused(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    status, answer = await send_file(desk, webchat.public_key, "v1.1.forged.x", "a.png", png())
    assert status == 401 and answer["error"]["code"] == "bad_token"
    status, answer = await send_file(
        desk, webchat.public_key, None, "a.png", png(), origin="https://evil.example"
    )
    assert status == 403 and answer["error"]["code"] == "origin_not_allowed"
    assert await StoredFile.all().count() == 0


async def test_an_operators_document_reaches_the_visitor_as_a_link_only_they_can_use(
    desk: Desk,
) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    await window.say("Can I have the invoice?")
    await desk.settle()
    thread = desk.topic_of("Web visitor")["message_thread_id"]

    posted = desk.fake.member_sends(OPERATOR_CHAT, OLGA, kind="document", thread_id=thread)
    await desk.settle()

    line = await window.item("out")
    assert line["author"] == "Olga"
    [shown] = line["files"]
    document = posted["document"]
    sent_bytes = desk.fake.files.get(document["file_id"]).data  # type: ignore[union-attr]
    assert shown["name"] == document["file_name"] and shown["size"] == len(sent_bytes)
    status, body, headers = await download(desk, shown["url"])
    assert status == 200 and body == sent_bytes
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "text/html" not in headers["Content-Type"]
    # A reload shows the same line with a fresh link.
    again = Window(desk, webchat.public_key, token=window.token)
    reloaded = [i for i in (await again.open())["items"] if i.get("files")]
    assert reloaded[0]["files"][0]["name"] == document["file_name"]

    # Another visitor (of the same site) gets nothing with the link, nor with it changed.
    other = Window(desk, webchat.public_key)
    await other.open()
    await other.say("Hi")
    await desk.settle()
    path, query = urlsplit(shown["url"]).path, parse_qs(urlsplit(shown["url"]).query)
    other_visitor = other.token.split(".")[1] + ":" + other.token.split(".")[2]  # type: ignore[union-attr]
    as_other = {"a": other_visitor, "e": query["e"][0], "s": query["s"][0]}
    status, body, _ = await download(desk, f"{path}?{urlencode(as_other)}")
    assert status == 403 and body != sent_bytes
    status, _, _ = await download(desk, f"{path}")
    assert status == 403
    status, _, _ = await download(desk, "/webchat/files/999999?" + urlsplit(shown["url"]).query)
    assert status == 404
    for each in (window, again, other):
        await each.close()


async def test_in_a_slack_line_files_cross_both_ways(slack_desk: Desk) -> None:
    desk = slack_desk
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    invoice = b"%PDF-1.7\n% the visitor's invoice\n%%EOF\n"

    # The visitor's first message is a document: it opens the thread.
    status, _ = await send_file(desk, webchat.public_key, window.token, "order.pdf", invoice)
    assert status == 200
    await desk.settle()
    [parent] = desk.slack.messages(SLACK_CHANNEL)
    replies = desk.slack.messages(SLACK_CHANNEL, parent["ts"])
    files = [f for m in replies for f in m.get("files", [])]
    assert [f["name"] for f in files] == ["order.pdf"]
    assert desk.slack.file_data(files[0]["id"]) == invoice

    # An operator's file in the thread reaches the visitor's window as a link.
    await desk.slack.user_posts(
        f"{desk.url}/slack/events",
        SLACK_CHANNEL,
        "U0OLGA",
        "the corrected one",
        thread_ts=parent["ts"],
        files=[("corrected.pdf", b"%PDF-1.4 corrected")],
    )
    await desk.settle()
    line = await window.item("out")
    assert line["text"] == "the corrected one"
    [shown] = line["files"]
    assert shown["name"] == "corrected.pdf"
    status, body, _ = await download(desk, shown["url"])
    assert status == 200 and body == b"%PDF-1.4 corrected"
    await window.close()


async def test_files_are_dropped_after_the_retention_days(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    _, sent = await send_file(desk, webchat.public_key, window.token, "a.png", png())
    await desk.settle()
    url = sent["item"]["files"][0]["url"]
    assert (await download(desk, url))[0] == 200

    await desk.core.scheduler.tick()  # a fresh file stays
    assert (await download(desk, url))[0] == 200
    old = desk.clock.now() - timedelta(days=desk.settings.files_retention_days, minutes=1)
    await StoredFile.all().update(created_at=old)
    await desk.core.scheduler.tick()

    assert await StoredFile.all().count() == 0
    assert (await download(desk, url))[0] == 404
    assert await Message.filter(kind="photo").count() == 1  # the message itself stays
    await window.close()


async def test_a_picture_telegram_will_not_show_as_a_photo_goes_as_a_document(desk: Desk) -> None:
    """Telegram takes a photo only up to 10 MB, with width + height up to 10000 and sides at
    most 20 to 1: a long strip (a page's screenshot) goes into the topic as a file."""
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    await window.open()
    strip = png(300, 10)
    status, _ = await send_file(
        desk, webchat.public_key, window.token, "strip.png", strip, text="the whole page"
    )
    assert status == 200
    await desk.settle()
    [document] = [m for m in desk.topic_messages("Web visitor") if "document" in m]
    assert document["document"]["file_name"] == "strip.png"
    assert document["caption"] == "the whole page"
    assert desk.fake.files.get(document["document"]["file_id"]).data == strip  # type: ignore[union-attr]
    assert not [m for m in desk.topic_messages("Web visitor") if "photo" in m]
    await window.close()
