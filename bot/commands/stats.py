"""stats: an operator's own figures of today and the last seven days, in chat; a
supervisor's are their lines', an admin's the whole desk's. The same report as the panel's
(bot/reports), in the desk's time zone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.base.i18n import Text, _
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.reports.figures import Figures, build, clock_time
from bot.reports.request import ReportRequest, Scope
from storage.models import LineMember


async def _scope(ctx: CommandContext) -> tuple[Scope, str]:
    operator = ctx.operator
    if operator.role == "admin":
        return Scope(), _("the whole desk")
    if operator.role == "supervisor":
        lines = await LineMember.filter(operator_id=operator.id).values_list("line_id", flat=True)
        return Scope(line_ids=frozenset(lines)), _("your lines")
    return Scope(operator_id=operator.id), _("your conversations")


def _line(title: str, figures: Figures) -> Text:
    return Text(
        _(
            "{period}: {created} new, {closed} closed, {missed} missed; reaction {reaction}, "
            "handling {handling}; CSAT {csat}"
        ),
        period=Text(title),
        created=figures.created,
        closed=figures.closed,
        missed=figures.missed,
        reaction=clock_time(figures.reaction),
        handling=clock_time(figures.handling),
        csat="—" if figures.csat is None else f"{figures.csat:.2f}",
    )


async def stats(ctx: CommandContext) -> Reply:
    zone = ZoneInfo(ctx.actions.settings.timezone)
    today = ctx.clock.now().astimezone(zone).date()
    scope, whose = await _scope(ctx)
    day = await build(ReportRequest(today, today, zone, scope=scope))
    week = await build(ReportRequest(today - timedelta(6), today, zone, scope=scope))
    return Reply(
        Text(
            _("Figures of {whose} ({zone}):\n{today}\n{week}"),
            whose=Text(whose),
            zone=zone.key,
            today=_line(_("Today"), day.totals),
            week=_line(_("Last 7 days"), week.totals),
        )
    )


def register(registry: CommandRegistry) -> None:
    registry.add(
        Command(
            "stats",
            _("your figures of today and the last 7 days"),
            stats,
            needs_conversation=False,
        )
    )
