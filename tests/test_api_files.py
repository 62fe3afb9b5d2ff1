"""Files through the API: a system uploads a customer's picture with the message, or gives
a URL the desk fetches (with the webhooks' rules: a private address only when allowed, no
redirects); either reaches the line's topic as the customer's photo or document, and a
retry with the same key replays. An operator's document reaches the system's webhook with
a link that downloads it."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from storage.models import Message, StoredFile
from tests.fakes.api import ApiClient, Receiver, api_entry_point
from tests.fakes.desk import OPERATOR_CHAT, Desk, free_port
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.images import png

OLGA = 1001
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
IVAN = {"external_id": "c-42", "name": "Ivan"}


async def upload(
    client: ApiClient,
    message: dict[str, Any],
    files: list[tuple[str, bytes, str]],
    key: str | None = None,
) -> tuple[int, Any, dict[str, str]]:
    form = aiohttp.FormData()
    form.add_field("message", json.dumps(message), content_type="application/json")
    for name, data, mime in files:
        form.add_field("file", data, filename=name, content_type=mime)
    return await client.call(
        "POST", "/api/v1/messages", data=form, idempotency_key=key or str(uuid.uuid4())
    )  # type: ignore[arg-type]


@pytest.fixture
async def source() -> AsyncIterator[str]:
    """A web server on this machine with the files a system links to."""

    async def invoice(_: web.Request) -> web.Response:
        return web.Response(body=PDF)

    async def typed(_: web.Request) -> web.Response:
        return web.Response(body=PDF, content_type="application/pdf")

    async def moved(_: web.Request) -> web.Response:
        raise web.HTTPFound("/invoice.pdf")

    async def program(_: web.Request) -> web.Response:
        return web.Response(body=b"MZ\x90\x00" * 10)

    app = web.Application()
    for path, handler in (
        ("/invoice.pdf", invoice),
        ("/download", typed),
        ("/moved", moved),
        ("/setup.exe", program),
    ):
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def linked_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    """Calls addresses on this machine (the receiver, the file source); links are absolute."""
    port = free_port()
    desk = Desk(
        fake_telegram,
        database_url,
        http_port=port,
        public_url=f"http://127.0.0.1:{port}",
        webhook_allow_private=True,
    )
    await desk.start()
    yield desk
    await desk.stop()


def topic_files(desk: Desk, kind: str) -> list[bytes]:
    found = []
    for message in desk.topic_messages("Ivan"):
        if kind in message:
            media = message[kind]
            item = media[-1] if isinstance(media, list) else media
            found.append(desk.fake.files.get(item["file_id"]).data)  # type: ignore[union-attr]
    return found


async def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.read(), dict(answer.headers)


async def test_an_uploaded_picture_reaches_the_topic_and_a_retry_replays(
    linked_desk: Desk,
) -> None:
    desk = linked_desk
    client, _ = await api_entry_point(desk)
    picture = png(30, 20)
    message = {"contact": IVAN, "text": "The box was open"}

    status, body, _ = await upload(client, message, [("box.png", picture, "image/png")], "k-1")

    assert status == 201, body
    posted = body["message"]
    assert posted["kind"] == "photo" and posted["text"] == "The box was open"
    [attachment] = posted["attachments"]
    assert (attachment["name"], attachment["type"], attachment["size"]) == (
        "box.png",
        "image/png",
        len(picture),
    )
    assert (await get(attachment["url"]))[1] == picture
    await desk.settle()
    assert topic_files(desk, "photo") == [picture]

    # The same key and the same files: the first answer again, nothing more kept.
    status, again, headers = await upload(
        client, message, [("box.png", picture, "image/png")], "k-1"
    )
    assert status == 201 and headers.get("Idempotent-Replayed") == "true"
    assert again["message"]["id"] == posted["id"]
    # The same key with another file: refused.
    status, refused, _ = await upload(
        client, message, [("box.png", png(31, 20), "image/png")], "k-1"
    )
    assert status == 409 and refused["error"]["code"] == "idempotency_key_reused"
    assert await StoredFile.all().count() == 1
    assert await Message.all().count() == 1


async def test_a_file_by_url_is_fetched_into_the_topic(linked_desk: Desk, source: str) -> None:
    desk = linked_desk
    client, _ = await api_entry_point(desk)
    status, body, _ = await client.call(
        "POST",
        "/api/v1/messages",
        json={
            "contact": IVAN,
            "attachments": [
                {"url": f"{source}/invoice.pdf"},
                {"url": f"{source}/download", "name": "receipt"},
            ],
        },
    )
    assert status == 201, body
    names = [a["name"] for a in body["message"]["attachments"]]
    assert body["message"]["kind"] == "document" and names == ["invoice.pdf", "receipt.pdf"]
    await desk.settle()
    assert topic_files(desk, "document") == [PDF, PDF]
    sent = [m["document"]["file_name"] for m in desk.topic_messages("Ivan") if "document" in m]
    assert sent == ["invoice.pdf", "receipt.pdf"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/moved", "attachment_unavailable"),
        ("/setup.exe", "attachment_type"),
        ("/nothing-here.pdf", "attachment_unavailable"),
    ],
)
async def test_a_redirect_a_program_or_a_missing_file_by_url_is_refused(
    linked_desk: Desk, source: str, path: str, code: str
) -> None:
    client, _ = await api_entry_point(linked_desk)
    status, body, _ = await client.call(
        "POST",
        "/api/v1/messages",
        json={"contact": IVAN, "text": "see", "attachments": [{"url": source + path}]},
    )
    assert status == 422 and body["error"]["code"] == code
    assert body["error"]["details"][0]["field"].startswith("attachments.0")
    assert await StoredFile.all().count() == 0 and await Message.all().count() == 0


async def test_a_url_to_a_private_address_is_refused_unless_allowed(
    desk: Desk, source: str
) -> None:
    client, _ = await api_entry_point(desk)  # RELAYDESK_WEBHOOK_ALLOW_PRIVATE is not set
    for url in (f"{source}/invoice.pdf", "http://169.254.169.254/latest/meta-data/x.txt"):
        status, body, _ = await client.call(
            "POST", "/api/v1/messages", json={"contact": IVAN, "attachments": [{"url": url}]}
        )
        assert status == 422, body
        assert body["error"]["code"] == "attachment_not_allowed"
        assert "RELAYDESK_WEBHOOK_ALLOW_PRIVATE" in body["error"]["message"]
    assert await StoredFile.all().count() == 0 and await Message.all().count() == 0


async def test_an_upload_of_a_refused_kind_or_too_large_is_refused(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = Desk(fake_telegram, database_url, api_max_file_bytes=4096)
    await desk.start()
    try:
        client, _ = await api_entry_point(desk)
        message = {"contact": IVAN}
        status, body, _ = await upload(client, message, [("page.html", b"<html>", "text/html")])
        assert status == 422 and body["error"]["code"] == "attachment_type"
        status, body, _ = await upload(
            client, message, [("big.pdf", PDF + b"x" * 5000, "application/pdf")]
        )
        assert status == 413 and body["error"]["code"] == "body_too_large"
        status, body, _ = await client.call("POST", "/api/v1/messages", json=message)
        assert status == 422 and body["error"]["details"][0]["field"] == "text"
        assert await StoredFile.all().count() == 0 and await Message.all().count() == 0
    finally:
        await desk.stop()


async def test_an_operators_document_reaches_the_webhook_with_a_link(
    linked_desk: Desk, receiver: Receiver
) -> None:
    desk = linked_desk
    client, _ = await api_entry_point(desk, receiver=receiver)
    await client.post_message("c-42", "Ivan", "Where is my invoice?")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]

    posted = desk.fake.member_sends(OPERATOR_CHAT, OLGA, kind="document", thread_id=thread)
    await desk.settle()

    [event] = receiver.of_type("message.created")
    [attachment] = event["message"]["attachments"]
    document = posted["document"]
    sent = desk.fake.files.get(document["file_id"]).data  # type: ignore[union-attr]
    assert attachment["name"] == document["file_name"] and attachment["size"] == len(sent)
    status, data, headers = await get(attachment["url"])
    assert status == 200 and data == sent
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["X-Content-Type-Options"] == "nosniff"
    # The conversation's messages list it too; a link changed by a byte is refused.
    conversation = event["conversation"]["id"]
    status, listed, _ = await client.call("GET", f"/api/v1/conversations/{conversation}/messages")
    assert [a["name"] for m in listed["messages"] for a in m["attachments"]] == [
        document["file_name"]
    ]
    status, refused, _ = await get(attachment["url"].replace("s=", "s=A"))
    assert status == 403 and json.loads(refused)["error"]["code"] == "link_not_valid"
