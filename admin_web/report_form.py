"""The report's GET form read into a `ReportRequest`: the period (a preset or two dates in the
desk's time zone), the filters and the grouping, checked against what the viewer may see.
What cannot be answered is refused in words (`ReportRefused`), never a traceback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from multidict import MultiMapping

from admin_web.access import ADMIN, SUPERVISOR, Viewer
from admin_web.conversation_queries import Choices
from admin_web.params import optional_id
from bot.base.i18n import Text, _
from bot.conversations.view import RESULT_NAMES
from bot.reports.request import ReportRefused, ReportRequest, Scope
from bot.reports.rows import SORTS, Order
from storage.models import ConversationStatus

PRESETS = {
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "month": _("This month"),
    "last_month": _("Last month"),
    "custom": _("Dates below"),
}
GROUPING_NAMES = {
    "hour": _("By hour"),
    "day": _("By day"),
    "week": _("By week"),
    "month": _("By month"),
}
DESCENDING_FIRST = {"number", "created", "reaction", "handling", "reply", "csat"}
LISTS = ("line", "operator", "channel", "entry_point", "topic", "status", "result")


@dataclass
class ReportForm:
    """What the form shows again, and the request it makes."""

    preset: str = "7d"
    first: str = ""
    last: str = ""
    grouping: str = "day"
    chosen: dict[str, list[str]] = field(default_factory=dict)
    order: Order = Order()

    def picked(self, name: str, value: Any) -> bool:
        return str(value) in self.chosen.get(name, [])

    def query(self, **extra: str) -> str:
        pairs = [("period", self.preset), ("from", self.first), ("to", self.last)]
        pairs += [("group", self.grouping)]
        pairs += [(name, value) for name in LISTS for value in self.chosen.get(name, [])]
        if not self.order.newest_first:
            pairs += [("sort", self.order.by), ("dir", "desc" if self.order.descending else "asc")]
        pairs += list(extra.items())
        return urlencode(pairs)

    def sorted_by(self, column: str) -> str:
        """The query of the table sorted by `column`: the other way when it is sorted by it
        already, else descending for times and figures, ascending for names."""
        if self.order.by == column:
            descending = not self.order.descending
        else:
            descending = column in DESCENDING_FIRST
        pairs = [("sort", column), ("dir", "desc" if descending else "asc")]
        form = ReportForm(self.preset, self.first, self.last, self.grouping, self.chosen)
        return form.query() + "&" + urlencode(pairs)


def scope_of(who: Viewer) -> Scope:
    if who.role == ADMIN:
        return Scope()
    if who.role == SUPERVISOR:
        return Scope(line_ids=frozenset(who.line_ids or ()))
    return Scope(operator_id=who.operator_id or 0)


def read(
    query: MultiMapping[str] | Mapping[str, str],
    who: Viewer,
    choices: Choices,
    today: date,
    zone: ZoneInfo,
) -> tuple[ReportForm, ReportRequest | None, Text | None]:
    form = ReportForm(
        preset=str(query.get("period") or "7d"),
        first=str(query.get("from") or "").strip(),
        last=str(query.get("to") or "").strip(),
        grouping=str(query.get("group") or "day"),
        chosen={name: _values(query, name) for name in LISTS},
        order=_order(query),
    )
    try:
        first, last = _period(form, today)
        request = ReportRequest(
            first,
            last,
            zone,
            grouping=form.grouping,
            line_ids=_ids(form, "line", {line.id for line in choices.lines}, _("line")),
            operator_ids=_ids(form, "operator", {o.id for o in choices.operators}, _("operator")),
            channels=_known(form, "channel", choices.channels, _("channel")),
            entry_point_ids=_ids(
                form, "entry_point", {e.id for e in choices.entry_points}, _("entry point")
            ),
            topics=tuple(form.chosen["topic"]),
            statuses=_known(form, "status", tuple(ConversationStatus), _("status")),
            results=_known(form, "result", tuple(RESULT_NAMES), _("result")),
            scope=scope_of(who),
        )
    except ReportRefused as refused:
        return form, None, refused.text
    return form, request, None


def _order(query: Any) -> Order:
    """The table's sort; anything but a sortable column's name is the default."""
    by = str(query.get("sort") or "number")
    if by not in SORTS:
        return Order()
    return Order(by, str(query.get("dir") or "desc") != "asc")


def _values(query: Any, name: str) -> list[str]:
    found = query.getall(name, []) if hasattr(query, "getall") else [query.get(name)]
    return [str(value).strip()[:200] for value in found if value and str(value).strip()]


def _period(form: ReportForm, today: date) -> tuple[date, date]:
    if form.preset == "today":
        return today, today
    if form.preset == "yesterday":
        return today - timedelta(1), today - timedelta(1)
    if form.preset == "30d":
        return today - timedelta(29), today
    if form.preset == "month":
        return today.replace(day=1), today
    if form.preset == "last_month":
        last = today.replace(day=1) - timedelta(1)
        return last.replace(day=1), last
    if form.preset == "custom":
        return _day(form.first, _("from")), _day(form.last, _("to"))
    form.preset = "7d"
    return today - timedelta(6), today


def _day(raw: str, which: str) -> date:
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise ReportRefused(
            Text(
                _("“{value}” is not a date: pick the day “{which}” in the calendar (YYYY-MM-DD)."),
                value=raw[:40],
                which=Text(which),
            )
        ) from None


def _ids(form: ReportForm, name: str, seen: set[int], what: str) -> tuple[int, ...]:
    ids = []
    for raw in form.chosen[name]:
        number = optional_id(raw)
        if number is None or number not in seen:
            raise ReportRefused(
                Text(
                    _("There is no {what} “{value}” among those you see."),
                    what=Text(what),
                    value=raw[:40],
                )
            )
        ids.append(number)
    return tuple(ids)


def _known(form: ReportForm, name: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    for value in form.chosen[name]:
        if value not in known:
            raise ReportRefused(
                Text(
                    _("There is no {what} “{value}” among those you see."),
                    what=Text(what),
                    value=value[:40],
                )
            )
    return tuple(form.chosen[name])
