"""The conversations report in the admin panel: the figures of two days in May worked out by
hand (tests/fakes/report_data.py), a filter, who sees what, the CSV export read back with
Python's csv module, and bad input answered in words."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import date

import aiohttp
import pytest

from bot.reports import rows
from bot.reports.request import ReportRequest
from storage.models import Conversation, LineMember
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import as_seen
from tests.fakes.desk import Desk
from tests.fakes.report_data import KYIV, History, Story, conversation, kyiv, line, two_days_in_may

pytestmark = pytest.mark.timeout(90)
MAY_4_5 = "?period=custom&from=2026-05-04&to=2026-05-05"


@pytest.fixture
async def story(desk: Desk) -> Story:
    desk.settings.timezone = "Europe/Kyiv"
    return await two_days_in_may()


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def signed_in(browser: PanelClient, name: str, role: str = "admin", operator=None) -> None:
    await make_account(name, role, operator=operator)
    status, _ = await browser.sign_in(name)
    assert status == 200


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def words(html: str) -> str:
    """The page's text as a reader sees it, without its markup."""
    return as_seen(re.sub(r"<[^>]+>", " ", html))


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/admin/conversations/(\d+)">#', html)]


async def test_an_admin_reads_the_two_days_figures_and_table(
    story: Story, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    status, html = await browser.get(f"/admin/reports{MAY_4_5}")
    assert status == 200, html
    assert figures(html) == {
        "created": "4",
        "closed": "3",
        "missed": "1",
        "reaction": "0:07:20",  # (5 + 15 + 2 minutes) / 3
        "handling": "0:35:00",  # (30 + 40 minutes) / 2
        "reply": "—",  # nobody wrote again after an answer
        "csat": "4.00",
    }
    assert listed(html) == [story.d.id, story.c.id, story.b.id, story.a.id]
    assert f'href="/admin/contacts/{story.c.contact_id}">Boris<' in html  # type: ignore[attr-defined]
    seen = words(html)
    assert "2026-05-05 12:00 0:15:00 0:40:00 — Petro" in seen  # no reply time: one answer
    assert "Times in Europe/Kyiv" in seen


async def test_three_charts_drawn_on_the_server_with_the_period_average(
    story: Story, browser: PanelClient
) -> None:
    await signed_in(browser, "boss")
    _, html = await browser.get(f"/admin/reports{MAY_4_5}")
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert [re.search(r"<title>(.*?)</title>", chart).group(1) for chart in charts] == [
        "Closed conversations",
        "Average wait for an answer",
        "Average handling time",
    ]
    closed, wait, handling = charts
    assert re.findall(r'class="bar".*?<title>(.*?)</title>', closed) == [
        "2026-05-04: 2",
        "2026-05-05: 1",
    ]
    assert "Average over the period: 1.5" in closed  # 3 closed in 2 days
    assert re.findall(r'class="bar".*?<title>(.*?)</title>', wait) == [
        "2026-05-04: 0:05:00",
        "2026-05-05: 0:08:30",
    ]
    assert "Average over the period: 0:07:20" in wait
    assert "Average over the period: 0:35:00" in handling
    assert "<script" not in html and "https://" not in html


async def test_a_filter_narrows_figures_and_table(story: Story, browser: PanelClient) -> None:
    await signed_in(browser, "boss")
    status, html = await browser.get(f"/admin/reports{MAY_4_5}&channel=webchat")
    assert status == 200
    assert figures(html)["created"] == "1"
    assert listed(html) == [story.c.id]
    assert 'value="webchat" selected' in html


async def test_a_supervisor_sees_their_lines_and_an_operator_their_own(
    story: Story, desk: Desk
) -> None:
    olga_browser, petro_browser = PanelClient(desk.url), PanelClient(desk.url)
    try:
        await LineMember.get_or_create(line=story.default, operator=story.olga)
        await signed_in(olga_browser, "olga", "supervisor", story.olga)
        _, html = await olga_browser.get(f"/admin/reports{MAY_4_5}")
        assert figures(html)["created"] == "3"
        assert story.d.id not in listed(html)  # Sales is not Olga's line
        status, html = await olga_browser.get(f"/admin/reports{MAY_4_5}&line={story.sales.id}")
        assert status == 400
        assert f"There is no line “{story.sales.id}” among those you see." in words(html)

        await signed_in(petro_browser, "petro", "operator", story.petro)
        _, html = await petro_browser.get(f"/admin/reports{MAY_4_5}")
        assert figures(html)["created"] == "1" and listed(html) == [story.c.id]
    finally:
        await olga_browser.close()
        await petro_browser.close()


async def test_the_report_needs_a_sign_in(story: Story, desk: Desk) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/admin/reports", "/admin/reports/export.csv"):
            async with session.get(desk.url + path, allow_redirects=False) as response:
                assert response.status == 302
                assert response.headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize(
    ("query", "said"),
    [
        (
            "?period=custom&from=2026-05-05&to=2026-05-04",
            "The period ends (2026-05-04) before it starts (2026-05-05): swap the dates.",
        ),
        (
            "?period=custom&from=2016-05-01&to=2026-05-01",
            "The period is 3653 days long; a report covers at most 366 days.",
        ),
        (f"{MAY_4_5}&operator=999999", "There is no operator “999999” among those you see."),
        (f"{MAY_4_5}&operator=olga", "There is no operator “olga” among those you see."),
        ("?period=custom&from=5/4/2026&to=2026-05-05", "“5/4/2026” is not a date"),
        (
            "?period=custom&from=2026-03-01&to=2026-05-05&group=hour",
            "Grouping by hour covers at most 31 days",
        ),
    ],
)
async def test_bad_input_is_answered_in_words(
    story: Story, browser: PanelClient, query: str, said: str
) -> None:
    await signed_in(browser, "boss")
    status, html = await browser.get(f"/admin/reports{query}")
    assert status == 400
    assert said in words(html)
    assert "Traceback" not in html
    status, text = await browser.get(f"/admin/reports/export.csv{query}")
    assert status == 400 and said in text


@pytest.mark.parametrize(("sep", "delimiter"), [("semicolon", ";"), ("comma", ",")])
async def test_the_csv_export_is_the_filtered_table(
    story: Story, browser: PanelClient, sep: str, delimiter: str
) -> None:
    await Conversation.filter(id=story.a.id).update(comment='Said "thanks"; left, happy')
    await signed_in(browser, "boss")
    async with browser.session.get(
        f"{browser.base}/admin/reports/export.csv{MAY_4_5}&sep={sep}"
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        body = await response.read()
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))
    assert table[0][:5] == ["Channel", "Number", "Client", "Entry point", "Created"]
    assert [int(row[1]) for row in table[1:]] == [story.d.id, story.c.id, story.b.id, story.a.id]
    header = table[0]
    boris = dict(zip(header, table[2], strict=True))
    assert boris["Channel"] == "webchat" and boris["Operator"] == "Petro"
    assert (boris["Reaction time"], boris["Handling time"], boris["CSAT"]) == (
        "0:15:00",
        "0:40:00",
        "3",
    )
    assert boris["Created"] == "2026-05-05 12:00" and boris["Result"] == "solved"
    ivan = dict(zip(header, table[4], strict=True))
    assert ivan["Comment"] == 'Said "thanks"; left, happy'


async def test_the_export_reads_the_table_a_chunk_at_a_time(story: Story) -> None:
    asked = ReportRequest(date(2026, 5, 1), date(2026, 5, 31), KYIV)
    sizes = [len(chunk) async for chunk in rows.chunks(asked, size=2)]
    assert sizes == [2, 2, 1]


async def test_the_page_chart_and_export_count_a_line_business_hours(
    desk: Desk, browser: PanelClient
) -> None:
    # Friday 8 May 17:30, answered Monday 09:15 on a line open Mon-Fri 09:00-18:00:
    # 30 minutes on Friday and 15 on Monday, not 63 h 45 min of wall clock.
    desk.settings.timezone = "Europe/Kyiv"
    weekdays = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    support = await line("support", "Support", {"timezone": "Europe/Kyiv", "days": weekdays})
    await conversation(support, "Fedir", History(kyiv(8, 17, 30), answered=kyiv(11, 9, 15)))
    await signed_in(browser, "boss")
    may_8 = "?period=custom&from=2026-05-08&to=2026-05-08"
    _, html = await browser.get(f"/admin/reports{may_8}")
    assert figures(html)["reaction"] == "0:45:00"
    assert "2026-05-08 17:30 0:45:00" in words(html)
    assert "for a line with business hours, only the time within them counts" in words(html)
    wait = re.findall(r"<svg .*?</svg>", html, re.S)[1]
    assert re.findall(r'class="bar".*?<title>(.*?)</title>', wait) == ["2026-05-08: 0:45:00"]
    _, text = await browser.get(f"/admin/reports/export.csv{may_8}&sep=comma")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert dict(zip(table[0], table[1], strict=True))["Reaction time"] == "0:45:00"
