"""The conversations report: filters in a GET form, the figures, the breakdowns per operator,
channel and entry point, CSAT and the table of conversations by pages, in the columns and
order chosen; and the same table as a streamed CSV. Every role opens it, each within its own
scope (admin_web/report_form.scope_of)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from admin_web import conversation_queries as queries
from admin_web.access import viewer
from admin_web.i18n import panel_language, say, translate
from admin_web.pages import render
from admin_web.params import page_number
from admin_web.report_charts import bars
from admin_web.report_form import GROUPING_NAMES, PRESETS, read
from admin_web.report_table import COLUMN_NAMES, cells, chosen_columns, remember_columns
from admin_web.state import core_of
from bot.base.i18n import _
from bot.conversations.view import RESULT_NAMES, STATE_NAMES
from bot.reports import rows
from bot.reports.figures import Report, build
from bot.reports.figures import clock_time as duration

routes = web.RouteTableDef()
PAGE_SIZE = 50
SEPARATORS = {"semicolon": ";", "comma": ","}
BOM = "\ufeff"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def charts(report: Report, words: Callable[[str], str]) -> list[tuple[str, Markup]]:
    """The seed's three charts: closed conversations, average wait for an answer, average
    handling time, per period, each with the whole period's average."""
    series, totals = report.series, report.totals
    per_period = totals.closed / len(series) if series else None
    average = words(_("Average over the period"))
    titles = [
        words(_("Closed conversations")),
        words(_("Average wait for an answer")),
        words(_("Average handling time")),
    ]
    drawn = [
        bars(
            titles[0],
            [(p.label, float(p.figures.closed)) for p in series],
            per_period,
            number,
            average,
        ),
        bars(
            titles[1],
            [(p.label, p.figures.reaction) for p in series],
            totals.reaction,
            duration,
            average,
        ),
        bars(
            titles[2],
            [(p.label, p.figures.handling) for p in series],
            totals.handling,
            duration,
            average,
        ),
    ]
    return list(zip(titles, drawn, strict=True))


def _clock_face(zone: ZoneInfo) -> Callable[[datetime], str]:
    return lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


async def _read(request: web.Request):
    who = viewer(request)
    core = core_of(request)
    zone = ZoneInfo(core.settings.timezone)
    choices = await queries.choices(who)
    today = core.clock.now().astimezone(zone).date()
    form, asked, refusal = read(request.query, who, choices, today, zone)
    return zone, choices, form, asked, refusal


@routes.get("/reports", name="reports")
async def report_page(request: web.Request) -> web.StreamResponse:
    zone, choices, form, asked, refusal = await _read(request)
    columns, chose = chosen_columns(request.query, request.cookies)
    context = {
        "form": form,
        "choices": choices,
        "presets": PRESETS,
        "groupings": GROUPING_NAMES,
        "states": {str(state): name for state, name in STATE_NAMES.items()},
        "results": RESULT_NAMES,
        "zone": zone.key,
        "duration": duration,
        "when": _clock_face(zone),
        "refusal": say(request, refusal) if refusal else None,
        "columns": columns,
        "column_names": COLUMN_NAMES,
    }
    if asked is None:
        response = render("reports.html", request, context, status=400)
    else:
        report = await build(asked)
        pages = max(1, -(-report.totals.created // PAGE_SIZE))
        shown_page = min(page_number(request.query.get("page")), pages)
        context |= {
            "report": report,
            "rows": await rows.page(asked, shown_page, PAGE_SIZE, form.order),
            "charts": charts(report, _translator(request)),
            "page": {"number": shown_page, "pages": pages},
            "period": (asked.first_day.isoformat(), asked.last_day.isoformat()),
        }
        response = render("reports.html", request, context)
    if chose:
        remember_columns(response, request, columns)
    return response


@routes.get("/reports/export.csv", name="reports_csv")
async def report_csv(request: web.Request) -> web.StreamResponse:
    """The filtered table in the chosen columns, newest first, streamed a chunk of rows at a
    time: a year of conversations is never in memory at once. `sep=comma` for a comma; a
    semicolon otherwise (what Excel expects where the decimal mark is a comma)."""
    zone, _choices, _form, asked, refusal = await _read(request)
    if asked is None:  # said as plain text: the link was opened to save a file
        return web.Response(status=400, text=say(request, refusal) if refusal else "")
    separator = SEPARATORS.get(str(request.query.get("sep")), ";")
    columns, _chose = chosen_columns(request.query, request.cookies)
    name = f"conversations-{asked.first_day.isoformat()}-{asked.last_day.isoformat()}.csv"
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        }
    )
    await response.prepare(request)
    words = _translator(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([words(COLUMN_NAMES[column]) for column in columns])
    await response.write((BOM + buffer.getvalue()).encode())
    when = _clock_face(zone)
    async for chunk in rows.chunks(asked):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
        writer.writerows(cells(row, columns, words, when) for row in chunk)
        await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


def _translator(request: web.Request) -> Callable[[str], str]:
    language = panel_language(request)
    return lambda msgid: translate(request, language, msgid)
