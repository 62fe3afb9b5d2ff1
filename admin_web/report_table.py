"""The report's table of conversations as the panel and its exports show it: the columns a
person may choose (remembered in a cookie of this browser: a choice of how to look, not a
setting of the desk), the sort links, and each row's cells as an export writes them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from admin_web.cookies import secure_cookies
from bot.base.i18n import _
from bot.conversations.view import RESULT_NAMES, STATE_NAMES
from bot.reports.figures import clock_time
from bot.reports.rows import Row

COLUMNS_COOKIE = "relaydesk_report_columns"
COLUMN_NAMES = {
    "channel": _("Channel"),
    "number": _("Number"),
    "client": _("Client"),
    "entry_point": _("Entry point"),
    "created": _("Created"),
    "reaction": _("Reaction time"),
    "handling": _("Handling time"),
    "reply": _("Reply time"),
    "operator": _("Operator"),
    "line": _("Line"),
    "topic": _("Topic"),
    "status": _("Status"),
    "result": _("Result"),
    "comment": _("Comment"),
    "csat": _("CSAT"),
}
YEAR = 365 * 24 * 3600


def chosen_columns(query: Mapping[str, Any], cookies: Mapping[str, str]) -> tuple[list[str], bool]:
    """The columns to show, in the table's order, and whether the form just chose them (and
    they should be remembered). Unknown names are dropped; choosing none shows all."""
    sent = bool(query.get("columns_sent"))
    if sent:
        raw = query.getall("column", []) if hasattr(query, "getall") else []
    else:
        raw = str(cookies.get(COLUMNS_COOKIE, "")).split(".")
    wanted = {str(name) for name in raw}
    chosen = [name for name in COLUMN_NAMES if name in wanted]
    return chosen or list(COLUMN_NAMES), sent


def remember_columns(response: web.StreamResponse, request: web.Request, chosen: list[str]) -> None:
    response.set_cookie(
        COLUMNS_COOKIE,
        ".".join(chosen),
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(request),
        path="/admin/reports",
        max_age=YEAR,
    )


def cells(
    row: Row,
    columns: list[str],
    words: Callable[[str], str],
    when: Callable[[datetime], str],
) -> list[str | int]:
    """A row's values for an export, in the chosen columns' order."""

    def duration(seconds: float | None) -> str:
        return "" if seconds is None else clock_time(seconds)

    status = STATE_NAMES.get(row.status)  # type: ignore[call-overload]
    values: dict[str, str | int] = {
        "channel": row.channel,
        "number": row.number,
        "client": row.client or words(_("Guest")),
        "entry_point": row.entry_point,
        "created": when(row.created_at),
        "reaction": duration(row.reaction),
        "handling": duration(row.handling),
        "reply": duration(row.reply),
        "operator": row.operator,
        "line": row.line,
        "topic": row.topic,
        "status": words(status) if status else row.status,
        "result": words(RESULT_NAMES[row.result]) if row.result in RESULT_NAMES else row.result,
        "comment": row.comment,
        "csat": "" if row.csat is None else row.csat,
    }
    return [values[name] for name in columns]
