"""The directory's refusals reach the panel in the reader's language: a Russian admin reads
what is wrong with a line in Russian, a Ukrainian one in Ukrainian; the CLI says it in English."""

from __future__ import annotations

from html import unescape

from bot.base.i18n import Translator
from bot.directory import DirectoryError
from bot.directory.checks import check_line
from storage.models import Line
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import browser_fixture, line_form  # noqa: F401 (the "browser" fixture)
from tests.fakes.desk import Desk


async def test_a_refused_line_form_is_explained_in_russian_to_a_russian_admin(
    desk: Desk, browser: PanelClient
) -> None:
    await make_account("ivan", language="ru")
    await browser.sign_in("ivan")
    await browser.get("/admin/lines/new")
    bad = line_form(slug="VIP!", day_mon="25:00-18:00", timezone="Mars/Base")
    status, html = await browser.post("/admin/lines/new", bad)
    html = unescape(html)
    assert status == 400
    assert "только строчные латинские буквы" in html
    assert "'25:00-18:00' — не время суток" in html
    assert "неизвестный часовой пояс 'Mars/Base'" in html
    assert "lowercase letters" not in html and "not a time of day" not in html

    default = await Line.get(slug="default")
    taken = line_form(workspace=f"telegram:{default.workspace_chat}")
    status, html = await browser.post("/admin/lines/new", taken)
    assert status == 400 and f"telegram:{default.workspace_chat} уже занят линией 'default'" in (
        unescape(html)
    )

    status, html = await browser.post(
        f"/admin/lines/{default.id}/members", {"account": "@nobody_here"}
    )
    assert status == 400 and "оператора @nobody_here нет" in unescape(html)


async def test_a_ukrainian_admin_reads_the_same_refusal_in_ukrainian(
    desk: Desk, browser: PanelClient
) -> None:
    await make_account("olha", language="uk")
    await browser.sign_in("olha")
    await browser.get("/admin/lines/new")
    status, html = await browser.post("/admin/lines/new", line_form(slug="default"))
    assert status == 400 and "лінія 'default' вже існує" in unescape(html)


def test_a_refusal_is_a_text_the_cli_says_in_english() -> None:
    try:
        check_line({"reply_mode": "loud"}, new=False)
    except DirectoryError as error:
        refusal = error
    assert str(refusal) == "reply_mode: must be one of all, marked"
    assert Translator().render("ru", refusal.text) == "должно быть одним из: all, marked"
