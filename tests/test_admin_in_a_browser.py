"""The admin panel in a real browser (Chromium via Playwright): sign in, work, sign out."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Page

from tests.fakes.admin import PASSWORD, make_account
from tests.fakes.browser import CHROMIUM, chromium_page, screenshot
from tests.fakes.desk import OPERATOR_CHAT, Desk

NO_CHROMIUM = not os.path.exists(CHROMIUM)
# CI installs Chromium: there a missing browser fails these tests instead of skipping them.
IN_CI = os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}

pytestmark = pytest.mark.skipif(
    NO_CHROMIUM and not IN_CI, reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)


@pytest.fixture(autouse=True)
def chromium_is_there() -> None:
    if NO_CHROMIUM:
        pytest.fail(f"CI is set and there is no Chromium at {CHROMIUM}: the browser tests must run")


async def test_an_admin_signs_in_and_out_in_a_browser(desk: Desk) -> None:
    await make_account("boss")
    async with chromium_page() as page:
        await page.goto(desk.url + "/admin/")
        assert page.url.startswith(desk.url + "/admin/login")
        await screenshot(page, "login")

        await page.fill("input[name=username]", "boss")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(desk.url + "/admin/")
        assert await page.text_content("h1") == "Dashboard"
        await screenshot(page, "dashboard")

        await page.click("text=Sign out")
        await page.wait_for_url(desk.url + "/admin/login")


async def test_the_dashboard_fits_a_phone_screen(desk: Desk) -> None:
    await make_account("boss")
    async with chromium_page(phone=True) as page:
        await page.goto(desk.url + "/admin/login")
        await page.fill("input[name=username]", "boss")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(desk.url + "/admin/")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
        await page.click("label.menu-button")
        assert await page.is_visible("text=Conversations")
        await screenshot(page, "dashboard-phone")


SALES_FORUM = -1002000000002
OLGA, IVAN = 1001, 5001


async def _sign_in(page: Page, desk: Desk) -> None:
    await page.goto(desk.url + "/admin/login")
    await page.fill("input[name=username]", "boss")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(desk.url + "/admin/")


async def test_a_line_and_a_quick_reply_made_in_the_browser_are_what_q_offers_in_telegram(
    desk: Desk,
) -> None:
    desk.fake.add_forum(SALES_FORUM, "Sales", members={OLGA: "member"})
    desk.fake.add_user(IVAN, "Ivan")
    desk.fake.user_sends(IVAN, "I want a refund")
    await desk.settle()
    await make_account("boss")

    async with chromium_page() as page:
        await _sign_in(page, desk)

        await page.goto(desk.url + "/admin/lines/new")
        await page.fill("input[name=slug]", "sales")
        await page.fill("input[name=name]", "Sales")
        await page.fill("input[name=workspace]", f"telegram:{SALES_FORUM}")
        await page.fill("textarea[name=topics]", "Refund\nDelivery")
        await screenshot(page, "line-form")
        await page.click("main form button[type=submit] >> nth=0")
        await page.wait_for_url("**/admin/lines/*?saved=1")

        await page.goto(desk.url + "/admin/quick-replies/new")
        await page.fill("input[name=name]", "refund")
        await page.select_option("select[name=scope]", "line")
        await page.select_option("select[name=line]", label="Sales")
        await page.fill("textarea[name=text_en]", "Hi {customer_name}, refunds take 3 days.")
        await page.wait_for_function(
            "document.getElementById('preview-en').textContent.includes('Ivan Petrenko')"
        )
        await screenshot(page, "quick-reply-form")
        await page.click("main form button[type=submit] >> nth=0")
        await page.wait_for_url("**/admin/quick-replies/*")

        topic = desk.topic_of("Ivan")["message_thread_id"]
        desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/transfer sales", thread_id=topic)
        await desk.settle()
        [sales_topic] = [t for t in desk.fake.topics(SALES_FORUM) if not t["is_deleted"]]
        thread = sales_topic["message_thread_id"]
        desk.fake.member_sends(SALES_FORUM, OLGA, "/q", thread_id=thread)
        await desk.settle()

        offer = desk.fake.chat_messages(SALES_FORUM, thread)[-1]
        buttons = [b for row in offer["reply_markup"]["inline_keyboard"] for b in row]
        assert [b["text"] for b in buttons] == ["refund"]
        desk.fake.press_button(SALES_FORUM, offer["message_id"], OLGA, buttons[0]["callback_data"])
        await desk.settle()
        assert desk.customer_sees(IVAN)[-1]["text"] == "Hi Ivan, refunds take 3 days."

        for name, path in MAIN_PAGES:
            await page.goto(desk.url + path)
            assert await page.locator("h1").count() >= 1, path
            await screenshot(page, name)


MAIN_PAGES = [
    ("dashboard-with-work", "/admin/"),
    ("conversations", "/admin/conversations"),
    ("conversation", "/admin/conversations/1"),
    ("contacts", "/admin/contacts"),
    ("contact", "/admin/contacts/1"),
    ("lines", "/admin/lines"),
    ("operators", "/admin/operators"),
    ("quick-replies", "/admin/quick-replies"),
    ("settings", "/admin/settings"),
    ("audit", "/admin/audit"),
]
