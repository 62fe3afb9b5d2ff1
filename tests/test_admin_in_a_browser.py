"""The admin panel in a real browser (Chromium via Playwright): sign in, work, sign out."""

from __future__ import annotations

import os

import pytest

from tests.fakes.admin import PASSWORD, make_account
from tests.fakes.browser import CHROMIUM, chromium_page, screenshot
from tests.fakes.desk import Desk

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)


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
