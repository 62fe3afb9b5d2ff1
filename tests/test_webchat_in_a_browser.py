"""The widget in a real browser (Chromium via Playwright) on a shop's page served from
another address than the desk's: a visitor chats with an operator answering in the fake
Telegram forum, reloads and sees the history, a second tab shares the conversation, the
visitor rates it, sends and downloads files, fills the pre-chat or offline form and sees
read marks; a page of an origin the entry point does not allow is refused."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from playwright.async_api import Page, WebSocketRoute, expect

from storage.models import Conversation, StoredFile
from tests.fakes.browser import CHROMIUM, chromium_page, screenshot
from tests.fakes.desk import OPERATOR_CHAT, Desk, free_port
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.images import png
from tests.fakes.webchat import webchat_entry_point

# A file goes up, through the inbox and back as a line with its link: on a loaded machine
# (the suite on two workers) that takes longer than Playwright's 5 s.
expect.set_options(timeout=15_000)

NO_CHROMIUM = not os.path.exists(CHROMIUM)
IN_CI = os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}
pytestmark = pytest.mark.skipif(
    NO_CHROMIUM and not IN_CI, reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)
OLGA = 1001
PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Shop</title>
</head><body><h1>Blue kettles</h1>{before}
<script src="{desk}/webchat/widget.js" data-key="{key}" {attrs} async></script></body></html>"""
NO_WEBSOCKETS = "<script>window.WebSocket = function () { throw new Error('blocked'); };</script>"


@pytest.fixture(autouse=True)
def chromium_is_there() -> None:
    if NO_CHROMIUM:
        pytest.fail(f"CI is set and there is no Chromium at {CHROMIUM}: the browser tests must run")


class Shop:
    """The shop's site on a port of its own: http://127.0.0.1:<port> is allowed, the same
    pages as http://localhost:<port> are another origin."""

    def __init__(self, desk: Desk, key: str) -> None:
        self.port = free_port()
        self.allowed = f"http://127.0.0.1:{self.port}"
        self.other = f"http://localhost:{self.port}"
        app = web.Application()
        app.router.add_get("/{page}", self._page)
        self._desk, self._key = desk, key
        self._runner = web.AppRunner(app)

    async def _page(self, request: web.Request) -> web.Response:
        name = request.match_info["page"]
        html = PAGE.format(
            lang="ru" if name == "ru" else "en",
            before=NO_WEBSOCKETS if name == "no-websockets" else "",
            desk=self._desk.url,
            key=self._key,
            attrs='data-title="Kettle help" data-color="#ffd33d"' if name == "themed" else "",
        )
        return web.Response(text=html, content_type="text/html")

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self._runner.cleanup()


@pytest.fixture
async def shop(desk: Desk) -> AsyncIterator[Shop]:
    shop = Shop(desk, "")
    webchat = await webchat_entry_point(desk, origins=(shop.allowed,))
    shop._key = webchat.public_key
    await shop.start()
    yield shop
    await shop.stop()


async def _open(page: Page, url: str, label: str = "Open chat") -> None:
    await page.goto(url)
    await page.get_by_role("button", name=label).click()


def _log(page: Page):  # noqa: ANN202
    return page.get_by_role("log")


async def _operator_answers(desk: Desk, text: str) -> None:
    await desk.settle()
    thread = desk.topic_of("Web visitor")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)


async def test_a_visitor_chats_reloads_opens_a_second_tab_and_rates(desk: Desk, shop: Shop) -> None:
    async with chromium_page() as page:
        await _open(page, f"{shop.allowed}/home")
        box = page.get_by_role("textbox", name="Your message")
        await expect(box).to_be_focused()
        await box.fill("Is the blue kettle in stock?")
        await box.press("Enter")
        await expect(_log(page)).to_contain_text("Is the blue kettle in stock?")
        await _operator_answers(desk, "Yes! <img src=x onerror=alert(1)> two left")
        await expect(_log(page)).to_contain_text("Yes! <img src=x onerror=alert(1)> two left")
        assert await page.locator("#relaydesk-webchat img").count() == 0  # shown as text
        await screenshot(page, "webchat-conversation")

        await page.reload()
        await page.get_by_role("button", name="Open chat").click()
        await expect(_log(page)).to_contain_text("Is the blue kettle in stock?")
        await expect(_log(page)).to_contain_text("two left")

        second = await page.context.new_page()
        await _open(second, f"{shop.allowed}/home")
        await expect(_log(second)).to_contain_text("two left")
        await second.get_by_role("textbox", name="Your message").fill("From the other tab")
        await second.get_by_role("button", name="Send").click()
        await expect(_log(page)).to_contain_text("From the other tab")

        await _operator_answers(desk, "/close solved")
        rating = page.get_by_role("group", name="How would you rate")
        await rating.get_by_role("button", name="5 ★").click()
        await expect(_log(page)).to_contain_text("Thank you for the rating")
        await screenshot(page, "webchat-rated")
        await page.keyboard.press("Escape")
        await expect(page.get_by_role("button", name="Open chat")).to_be_focused()
    await desk.settle()
    assert (await Conversation.get(identity__channel="webchat")).csat_score == 5


async def test_a_page_of_another_origin_is_refused(desk: Desk, shop: Shop) -> None:
    async with chromium_page() as page:
        await _open(page, f"{shop.other}/home")
        await expect(page.get_by_role("status")).to_have_text(
            "This chat is not available on this site."
        )
        await screenshot(page, "webchat-refused")
    assert not await Conversation.exists()


async def test_without_websockets_it_polls_and_speaks_the_pages_language(
    desk: Desk, shop: Shop
) -> None:
    async with chromium_page() as page:
        await _open(page, f"{shop.allowed}/no-websockets")
        box = page.get_by_role("textbox", name="Your message")
        await box.fill("Over long polling")
        await box.press("Enter")
        await expect(_log(page)).to_contain_text("Over long polling")
        await _operator_answers(desk, "Polled answer")
        await expect(_log(page)).to_contain_text("Polled answer")

        russian = await page.context.new_page()
        await _open(russian, f"{shop.allowed}/ru", label="Открыть чат")
        await expect(russian.get_by_role("button", name="Отправить")).to_be_visible()
        await expect(_log(russian)).to_contain_text("Polled answer")  # the same visitor

        themed = await page.context.new_page()
        await themed.goto(f"{shop.allowed}/themed")
        opener = themed.get_by_role("button", name="Open chat")
        await expect(opener).to_have_text("Kettle help")
        # A light colour gets dark text: the contrast stays readable.
        assert await opener.evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"
        await screenshot(themed, "webchat-themed")


async def test_a_visitor_sends_a_file_and_opens_the_operators(desk: Desk, shop: Shop) -> None:
    async with chromium_page() as page:
        await _open(page, f"{shop.allowed}/home")
        box = page.get_by_role("textbox", name="Your message")
        await expect(box).to_be_focused()
        await page.keyboard.press("Shift+Tab")  # a native button before the field
        attach = page.get_by_role("button", name="Attach a file")
        await expect(attach).to_be_focused()

        async with page.expect_file_chooser() as chosen:
            await attach.click()
        picture = png(48, 32)
        await (await chosen.value).set_files(
            {"name": "kettle.png", "mimeType": "image/png", "buffer": picture}
        )
        await expect(_log(page).get_by_role("img", name="kettle.png")).to_be_visible()
        await desk.settle()
        [photo] = [m for m in desk.topic_messages("Web visitor") if "photo" in m]
        assert desk.fake.files.get(photo["photo"][-1]["file_id"]).data == picture  # type: ignore[union-attr]

        async with page.expect_file_chooser() as chosen:
            await attach.click()
        await (await chosen.value).set_files(
            {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90"}
        )
        await expect(page.get_by_role("status")).to_contain_text("cannot be sent")

        thread = desk.topic_of("Web visitor")["message_thread_id"]
        posted = desk.fake.member_sends(OPERATOR_CHAT, OLGA, kind="document", thread_id=thread)
        name = posted["document"]["file_name"]
        link = _log(page).get_by_role("link", name=name)
        await expect(link).to_be_visible()
        await expect(link).to_have_attribute("download", name)
        await screenshot(page, "webchat-files")
        got = await page.request.get(await link.get_attribute("href") or "")
        sent = desk.fake.files.get(posted["document"]["file_id"]).data  # type: ignore[union-attr]
        assert got.ok and await got.body() == sent


async def test_a_file_chosen_while_the_chat_connects_is_sent_once_it_is_connected(
    desk: Desk, shop: Shop
) -> None:
    async with chromium_page() as page:
        held: list[str] = []
        welcomed = asyncio.Event()

        async def slow_connection(ws: WebSocketRoute) -> None:
            server = ws.connect_to_server()

            def to_page(message: str | bytes) -> None:
                if not held:  # the welcome: it comes a second late
                    held.append(str(message))

                    def welcome() -> None:
                        ws.send(message)
                        welcomed.set()

                    asyncio.get_running_loop().call_later(1.0, welcome)
                else:
                    ws.send(message)

            server.on_message(to_page)

        await page.route_web_socket("**/webchat/ws*", slow_connection)
        await _open(page, f"{shop.allowed}/home")
        async with page.expect_file_chooser() as chosen:
            await page.get_by_role("button", name="Attach a file").click()
        picture = png(40, 30)
        await (await chosen.value).set_files(
            {"name": "teapot.png", "mimeType": "image/png", "buffer": picture}
        )
        assert not welcomed.is_set()  # chosen while the chat connects

        await expect(_log(page).get_by_role("img", name="teapot.png")).to_be_visible()
        await desk.settle()
        [photo] = [m for m in desk.topic_messages("Web visitor") if "photo" in m]
        assert desk.fake.files.get(photo["photo"][-1]["file_id"]).data == picture  # type: ignore[union-attr]


@pytest.fixture
async def small_files_desk(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Desk]:
    desk = Desk(fake_telegram, database_url, webchat_max_file_bytes=64 * 1024)
    await desk.start()
    yield desk
    await desk.stop()


async def test_a_file_too_large_is_refused_in_the_pages_language(small_files_desk: Desk) -> None:
    desk = small_files_desk
    shop = Shop(desk, "")
    shop._key = (await webchat_entry_point(desk, origins=(shop.allowed,))).public_key
    await shop.start()
    try:
        async with chromium_page() as page:
            await _open(page, f"{shop.allowed}/ru", label="Открыть чат")
            async with page.expect_file_chooser() as chosen:
                await page.get_by_role("button", name="Прикрепить файл").click()
            await (await chosen.value).set_files(
                {
                    "name": "big.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-" + b"x" * 2**21,
                }
            )
            await expect(page.get_by_role("status")).to_contain_text("Файл слишком большой")
    finally:
        await shop.stop()
    assert await StoredFile.all().count() == 0


async def test_the_pre_chat_form_asks_for_the_email_then_marks_answered_lines_read(
    desk: Desk, shop: Shop
) -> None:
    from bot.directory.webchat_entry_points import set_form
    from storage.models import Contact

    await set_form("shop", name="optional", email="required")
    async with chromium_page() as page:
        await _open(page, f"{shop.allowed}/home")
        name = page.get_by_role("textbox", name="Your name (optional)")
        email = page.get_by_role("textbox", name="Email")
        await expect(name).to_be_focused()
        await expect(page.get_by_role("textbox", name="Your message")).to_be_hidden()
        start = page.get_by_role("button", name="Start the chat")
        await start.click()
        await expect(page.get_by_role("alert").filter(has_text="email")).to_have_text(
            "Please write your email."
        )
        await expect(email).to_be_focused()
        await expect(email).to_have_attribute("aria-invalid", "true")
        await email.fill("anna at example")
        await email.press("Enter")
        await expect(page.get_by_role("alert").filter(has_text="email")).to_have_text(
            "This does not look like an email address."
        )
        await name.fill("Anna Smith")
        await email.fill("anna@example.com")
        await start.press("Enter")
        box = page.get_by_role("textbox", name="Your message")
        await expect(box).to_be_focused()
        await box.fill("Where is my kettle?")
        await box.press("Enter")
        await expect(_log(page)).to_contain_text("Where is my kettle?")
        await desk.settle()
        assert desk.topic_texts("Anna Smith") == ["Where is my kettle?"]
        desk.fake.member_sends(
            OPERATOR_CHAT, OLGA, "On its way", thread_id=desk.topic_of("Anna")["message_thread_id"]
        )
        await expect(_log(page)).to_contain_text("On its way")
        await expect(_log(page).get_by_text("✓ Read")).to_have_count(1)
        await screenshot(page, "webchat-pre-chat-read")

        await page.reload()
        await page.get_by_role("button", name="Open chat").click()
        await expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
        await expect(_log(page).get_by_text("✓ Read")).to_have_count(1)
    contact = await Contact.get()
    assert (contact.name, contact.email) == ("Anna Smith", "anna@example.com")


async def test_after_the_pre_chat_form_the_first_message_may_be_a_picture(
    desk: Desk, shop: Shop
) -> None:
    from bot.directory.webchat_entry_points import set_form
    from storage.models import Contact

    await set_form("shop", name="required", email="optional")
    async with chromium_page() as page:
        await _open(page, f"{shop.allowed}/home")
        await expect(page.get_by_role("button", name="Attach a file")).to_be_hidden()
        await page.get_by_role("textbox", name="Your name").fill("Anna Smith")
        await page.get_by_role("button", name="Start the chat").click()
        async with page.expect_file_chooser() as chosen:
            await page.get_by_role("button", name="Attach a file").click()
        picture = png(30, 30)
        await (await chosen.value).set_files(
            {"name": "kettle.png", "mimeType": "image/png", "buffer": picture}
        )
        await expect(_log(page).get_by_role("img", name="kettle.png")).to_be_visible()
    await desk.settle()
    [photo] = [m for m in desk.topic_messages("Anna Smith") if "photo" in m]
    assert desk.fake.files.get(photo["photo"][-1]["file_id"]).data == picture  # type: ignore[union-attr]
    assert (await Contact.get()).name == "Anna Smith"


async def test_out_of_hours_the_visitor_leaves_a_message_with_the_offline_form(
    desk: Desk, shop: Shop
) -> None:
    from storage.models import Contact, Line

    await Line.filter(id=desk.core.default_line.id).update(
        business_hours={"timezone": "UTC", "days": {}}  # closed every day: no "back at"
    )
    async with chromium_page() as page:
        await _open(page, f"{shop.allowed}/home")
        await expect(page.get_by_text("We are away now.", exact=True)).to_be_visible()
        await expect(page.get_by_role("textbox", name="Your name")).to_be_focused()
        await page.get_by_role("textbox", name="Your name").fill("Petro")
        await page.get_by_role("textbox", name="Email").fill("petro@example.com")
        await page.get_by_role("textbox", name="Your message").fill("Call me tomorrow")
        await page.get_by_role("button", name="Send").click()
        await expect(_log(page)).to_contain_text("Call me tomorrow")
        await expect(page.get_by_role("status")).to_have_text(
            "Thank you: your message was received. We will answer here as soon as we can."
        )
        await expect(_log(page)).to_contain_text("out of office hours")
        await screenshot(page, "webchat-offline-form")
    await desk.settle()
    assert desk.topic_texts("Petro") == ["Call me tomorrow"]
    assert (await Contact.get()).email == "petro@example.com"
