"""The rules editor in a real browser (Chromium via Playwright): a rule made row by row,
moved above another, the other disabled, and a dry run that shows what would happen."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Page

from storage.models import Rule, RuleKind
from tests.fakes.admin import PASSWORD, make_account
from tests.fakes.browser import CHROMIUM, chromium_page, screenshot
from tests.fakes.desk import Desk
from tests.fakes.rules import add_rule
from tests.fakes.staff import hire

NO_CHROMIUM = not os.path.exists(CHROMIUM)
IN_CI = os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}

pytestmark = pytest.mark.skipif(
    NO_CHROMIUM and not IN_CI, reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)
OLGA = 1001


@pytest.fixture(autouse=True)
def chromium_is_there() -> None:
    if NO_CHROMIUM:
        pytest.fail(f"CI is set and there is no Chromium at {CHROMIUM}: the browser tests must run")


async def _sign_in(page: Page, desk: Desk) -> None:
    await page.goto(desk.url + "/admin/login")
    await page.fill("input[name=username]", "boss")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(desk.url + "/admin/")


async def _incoming_names(page: Page) -> list[str]:
    return [
        name.strip()
        for name in await page.locator("#list-incoming tbody td:nth-child(2) a").all_text_contents()
    ]


async def test_an_admin_makes_orders_disables_and_tries_rules_in_a_browser(desk: Desk) -> None:
    await make_account("boss")
    await hire("default", "Olga", telegram=OLGA)
    await add_rule(
        desk,
        kind="incoming",
        name="VIP first",
        conditions=[{"contact_tag": "vip"}],
        actions=[{"assign": f"telegram:{OLGA}"}],
        stop=True,
    )

    async with chromium_page() as page:
        await _sign_in(page, desk)
        await page.goto(desk.url + "/admin/rules/new?kind=incoming")
        await page.fill("input[name=name]", "Prices")
        await page.click("text=Add a condition")
        await page.select_option("select[name=c1_name]", "text_contains")
        await page.wait_for_selector("input[name=c1_value]")  # the script re-drew the row
        await page.fill("input[name=c1_value]", "price, cost")
        await page.select_option("select[name=a0_name]", "reply")
        await page.wait_for_selector("textarea[name=a0_value]")
        assert await page.input_value("input[name=c1_value]") == "price, cost"  # kept
        await page.fill("textarea[name=a0_value]", "Our prices: example.com/prices")
        await screenshot(page, "rule-form")
        await page.click("text=Save the rule")
        await page.wait_for_url("**/admin/rules/*?saved=1")

        await page.goto(desk.url + "/admin/rules")
        assert await _incoming_names(page) == ["VIP first", "Prices"]
        await page.click("[aria-label='Move up: Prices']")
        await page.wait_for_url("**/admin/rules?done=moved*")
        assert await _incoming_names(page) == ["Prices", "VIP first"]
        await page.click("[aria-label='Disable: VIP first']")
        await page.wait_for_url("**/admin/rules?done=disabled*")
        await screenshot(page, "rules")
        names = [r.name for r in desk.core.rules.book.rules(RuleKind.INCOMING)]
        assert names == ["Prices"]

        await page.goto(desk.url + "/admin/rules/dry-run")
        await page.fill("#dry-run-sample textarea[name=text]", "What is the price? <b>")
        await page.fill("#dry-run-sample input[name=tags]", "vip")
        await page.click("#dry-run-sample button[type=submit]")
        results = page.locator("#dry-run-results")
        await results.wait_for()
        text = " ".join((await results.inner_text()).split())
        assert "Prices — fires" in text
        assert "would send the customer: Our prices: example.com/prices" in text
        assert "What is the price? <b>" in text  # shown as text, not markup
        assert "VIP first" not in text  # disabled
        await screenshot(page, "rules-dry-run")

    rule = await Rule.get(name="Prices")
    assert rule.conditions == [{"event": "new_conversation"}, {"text_contains": ["price", "cost"]}]
