"""The report's table in the panel: the columns a person chooses, remembered by the browser
and carried into the export; sorting by a column either way; the breakdowns per channel and
entry point; the "last month" preset; and a large export read over HTTP as it streams."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import date

import pytest

from admin_web.report_form import ReportForm, _period
from tests.benchmarks.report import fill
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import Desk
from tests.fakes.report_data import Story, two_days_in_may

pytestmark = pytest.mark.timeout(120)
MAY_4_5 = "?period=custom&from=2026-05-04&to=2026-05-05"


@pytest.fixture
async def story(desk: Desk) -> Story:
    desk.settings.timezone = "Europe/Kyiv"
    return await two_days_in_may()


@pytest.fixture
async def boss(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    await make_account("boss")
    status, _ = await client.sign_in("boss")
    assert status == 200
    yield client
    await client.close()


def headers(html: str) -> list[str]:
    return re.findall(r'<th data-column="(\w+)">', html)


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/admin/conversations/(\d+)">#', html)]


async def test_chosen_columns_are_shown_remembered_and_exported(
    story: Story, boss: PanelClient
) -> None:
    _, html = await boss.get(f"/admin/reports{MAY_4_5}")
    assert headers(html)[:3] == ["channel", "number", "client"] and len(headers(html)) == 15

    chosen = "&columns_sent=1&column=csat&column=number&column=handling&column=nonsense"
    _, html = await boss.get(f"/admin/reports{MAY_4_5}{chosen}")
    assert headers(html) == ["number", "handling", "csat"]  # in the table's own order
    assert 'name="column" value="csat" checked' in html
    assert 'name="column" value="client" >' in html  # not ticked

    _, html = await boss.get(f"/admin/reports{MAY_4_5}")  # the browser remembers
    assert headers(html) == ["number", "handling", "csat"]
    _, text = await boss.get(f"/admin/reports/export.csv{MAY_4_5}&sep=comma")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == ["Number", "Handling time", "CSAT"]
    assert table[2] == [str(story.c.id), "0:40:00", "3"]

    _, html = await boss.get(f"/admin/reports{MAY_4_5}&columns_sent=1")  # none ticked: all
    assert len(headers(html)) == 15


async def test_the_table_sorts_by_a_header_either_way(story: Story, boss: PanelClient) -> None:
    _, html = await boss.get(f"/admin/reports{MAY_4_5}")
    link = re.search(r'<th data-column="handling"><a href="([^"]+)"', html).group(1)
    assert link.endswith("sort=handling&amp;dir=desc")  # times: longest first
    _, html = await boss.get(f"/admin/reports{MAY_4_5}&sort=handling&dir=asc")
    # 30 and 40 minutes, then those without a handling time, by number.
    assert listed(html) == [story.a.id, story.c.id, story.b.id, story.d.id]
    assert re.search(r'data-column="handling"><a href="[^"]*dir=desc"', html)  # toggles
    _, html = await boss.get(f"/admin/reports{MAY_4_5}&sort=operator&dir=asc&page=1")
    assert listed(html) == [story.a.id, story.d.id, story.c.id, story.b.id]
    _, html = await boss.get(f"/admin/reports{MAY_4_5}&sort=c.id;--&dir=sideways")
    assert listed(html) == [story.d.id, story.c.id, story.b.id, story.a.id]  # the default


async def test_breakdowns_per_channel_and_entry_point_are_on_the_page(
    story: Story, boss: PanelClient
) -> None:
    _, html = await boss.get(f"/admin/reports{MAY_4_5}")
    channels = re.search(r'<table class="channels">.*?</table>', html, re.S).group(0)
    cells = re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", channels)
    assert cells == [("telegram", "3", "2", "1"), ("webchat", "1", "1", "0")]
    entry_points = re.search(r'<table class="entry-points">.*?</table>', html, re.S).group(0)
    default, sales = story.default.name, story.sales.name
    assert f"<td>Telegram of {default}</td><td>2</td>" in entry_points
    assert f"<td>Telegram of {sales}</td><td>1</td>" in entry_points
    assert f"<td>Webchat of {default}</td><td>1</td>" in entry_points
    assert "Reply time: after the first answer" in html


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 3, 15), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_last_month_is_the_whole_calendar_month_before(today: date, first: date, last: date):
    assert _period(ReportForm(preset="last_month"), today) == (first, last)


async def test_a_large_export_streams_over_http_a_chunk_at_a_time(
    desk: Desk, boss: PanelClient
) -> None:
    await fill(20_000, 0)  # spread over the year from 1 June 2025
    period = "?period=custom&from=2025-06-01&to=2026-06-01&sep=semicolon"
    pieces, body = 0, bytearray()
    async with boss.session.get(f"{boss.base}/admin/reports/export.csv{period}") as response:
        assert response.status == 200
        assert response.headers.get("Transfer-Encoding") == "chunked"
        assert "Content-Length" not in response.headers
        async for data, end_of_http_chunk in response.content.iter_chunks():
            body += data
            pieces += end_of_http_chunk
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(table) == 1 + 20_000
    assert [int(row[1]) for row in table[1:4]] == [20_000, 19_999, 19_998]
    # The header, then one write per 500 rows read: never the whole table at once.
    assert pieces >= 1 + 20_000 // 500
