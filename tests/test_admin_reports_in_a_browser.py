"""The report page in a real browser (Chromium via Playwright): the three charts are drawn,
nothing is fetched from another host, the breakdowns are shown, the table is sorted by a
header and its columns chosen (and remembered on the next visit), and screenshots are kept
for a person to look at."""

from __future__ import annotations

import os

import pytest

from tests.fakes.admin import PASSWORD, make_account
from tests.fakes.browser import CHROMIUM, chromium_page, screenshot
from tests.fakes.desk import Desk
from tests.fakes.report_data import two_days_in_may

NO_CHROMIUM = not os.path.exists(CHROMIUM)
IN_CI = os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}

pytestmark = [
    pytest.mark.skipif(NO_CHROMIUM and not IN_CI, reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.timeout(90),
]


async def test_the_report_draws_its_charts_from_the_desk_alone(desk: Desk) -> None:
    desk.settings.timezone = "Europe/Kyiv"
    story = await two_days_in_may()
    await make_account("boss")
    async with chromium_page() as page:
        hosts: set[str] = set()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        await page.goto(desk.url + "/admin/login")
        await page.fill("input[name=username]", "boss")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(desk.url + "/admin/")
        await page.goto(desk.url + "/admin/reports?period=custom&from=2026-05-04&to=2026-05-05")

        assert await page.text_content("h1") == "Conversations report"
        charts = page.locator("svg.chart")
        assert await charts.count() == 3
        for index in range(3):
            box = await charts.nth(index).bounding_box()
            assert box and box["width"] > 300 and box["height"] > 60
        assert await page.locator("svg.chart rect.bar").count() == 6
        assert await page.text_content('[data-figure="created"]') == "4"
        assert await page.locator("table.channels tbody tr").count() == 2
        assert await page.locator("table.entry-points tbody tr").count() == 3
        assert hosts == {desk.url.split("/")[2]}
        await screenshot(page, "report")

        await page.click('th[data-column="handling"] a')  # longest first
        await page.wait_for_url("**sort=handling**")
        numbers = await page.locator("table.rows td a[href^='/admin/conversations/']").all()
        expected = [story.c, story.a, story.d, story.b]  # 40 and 30 minutes, then none
        assert [await a.text_content() for a in numbers] == [f"#{c.id}" for c in expected]

        for column in ("channel", "entry_point", "comment", "topic", "status"):
            await page.uncheck(f'input[name=column][value="{column}"]')
        await page.click("form.filters button[type=submit]")
        await page.wait_for_load_state()
        shown = ["number", "client", "created", "reaction", "handling", "reply", "operator"]
        shown += ["line", "result", "csat"]
        assert await _columns(page) == shown
        await page.goto(desk.url + "/admin/reports?period=custom&from=2026-05-04&to=2026-05-05")
        assert await _columns(page) == shown  # remembered by the browser
        await screenshot(page, "report-columns")


async def _columns(page) -> list[str]:
    headers = await page.locator("table.rows th").all()
    return [str(await header.get_attribute("data-column")) for header in headers]
