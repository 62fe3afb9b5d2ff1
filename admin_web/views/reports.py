"""The conversations report: filters in a GET form, the figures, load per operator, CSAT and
the table of conversations by pages; and the same table as a streamed CSV. Every role opens
it, each within its own scope (admin_web/report_form.scope_of)."""

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
from admin_web.state import core_of
from bot.base.i18n import _
from bot.conversations.view import RESULT_NAMES, STATE_NAMES
from bot.reports import rows
from bot.reports.figures import Report, build
from bot.reports.figures import clock_time as duration
from bot.reports.request import ReportRequest

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
    }
    if asked is None:
        return render("reports.html", request, context, status=400)
    report = await build(asked)
    pages = max(1, -(-report.totals.created // PAGE_SIZE))
    shown_page = min(page_number(request.query.get("page")), pages)
    context |= {
        "report": report,
        "rows": await rows.page(asked, shown_page, PAGE_SIZE),
        "charts": charts(report, _translator(request)),
        "page": {"number": shown_page, "pages": pages},
        "period": (asked.first_day.isoformat(), asked.last_day.isoformat()),
    }
    return render("reports.html", request, context)


@routes.get("/reports/export.csv", name="reports_csv")
async def report_csv(request: web.Request) -> web.StreamResponse:
    """The filtered table, streamed a chunk of rows at a time: a year of conversations is
    never in memory at once. `sep=comma` for a comma; a semicolon otherwise (what Excel
    expects where the decimal mark is a comma)."""
    zone, _choices, _form, asked, refusal = await _read(request)
    if asked is None:  # said as plain text: the link was opened to save a file
        return web.Response(status=400, text=say(request, refusal) if refusal else "")
    separator = SEPARATORS.get(str(request.query.get("sep")), ";")
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
    writer.writerow([words(title) for title in COLUMNS])
    await response.write((BOM + buffer.getvalue()).encode())
    await _stream(response, asked, zone, words, separator)
    await response.write_eof()
    return response


COLUMNS = (
    _("Channel"),
    _("Number"),
    _("Client"),
    _("Entry point"),
    _("Created"),
    _("Reaction time"),
    _("Handling time"),
    _("Operator"),
    _("Line"),
    _("Topic"),
    _("Status"),
    _("Result"),
    _("Comment"),
    _("CSAT"),
)


def _translator(request: web.Request) -> Callable[[str], str]:
    language = panel_language(request)
    return lambda msgid: translate(request, language, msgid)


async def _stream(
    response: web.StreamResponse,
    asked: ReportRequest,
    zone: ZoneInfo,
    words: Callable[[str], str],
    separator: str,
) -> None:
    when = _clock_face(zone)
    guest = words(_("Guest"))
    async for chunk in rows.chunks(asked):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
        for row in chunk:
            writer.writerow(
                [
                    row.channel,
                    row.number,
                    row.client or guest,
                    row.entry_point,
                    when(row.created_at),
                    duration(row.reaction) if row.reaction is not None else "",
                    duration(row.handling) if row.handling is not None else "",
                    row.operator,
                    row.line,
                    row.topic,
                    words(STATE_NAMES.get(row.status, row.status)),  # type: ignore[call-overload]
                    words(RESULT_NAMES[row.result]) if row.result in RESULT_NAMES else row.result,
                    row.comment,
                    "" if row.csat is None else row.csat,
                ]
            )
        await response.write(buffer.getvalue().encode())
