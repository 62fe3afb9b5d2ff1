"""transfer and snooze: a conversation moves to someone else, or waits for its time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.base.bounds import INT_MAX, number_in, row_id
from bot.base.cards import Button, Card
from bot.base.i18n import Text, _
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.conversations import assignment, transfers
from bot.conversations.snooze_time import BadTime, parse_snooze
from storage.models import ConversationStatus, Line, LineMember, Operator, OperatorStatus

USAGE = "@operator | line [all|last N|none] [note]"


def _refuse_closed(ctx: CommandContext) -> Reply | None:
    conversation = ctx.conversation
    assert conversation is not None
    if conversation.status == ConversationStatus.CLOSED:
        return Reply(
            Text(
                _("Conversation #{number} is closed. Reopen it first."), number=conversation.number
            ),
            ok=False,
        )
    return None


async def transfer(ctx: CommandContext) -> Reply:
    refused = _refuse_closed(ctx)
    if refused:
        return refused
    words = ctx.args.split()
    if not words:
        return await _choices(ctx)
    target, rest = words[0], words[1:]
    history, rest = _history(rest)
    if history is None:
        return Reply(Text(_("After «last» comes a number: /transfer sales last 5")), ok=False)
    note = " ".join(rest)
    operator = await _operator(target)
    if operator is not None:
        return await _to_operator(ctx, operator, note)
    line = await _line(target)
    if line is not None:
        return await _to_line(ctx, line, history, note)
    return Reply(
        Text(
            _("No operator or line {target}. Usage: /transfer {usage}"),
            target=target,
            usage=USAGE,
        ),
        ok=False,
    )


def _history(words: list[str]) -> tuple[transfers.History | None, list[str]]:
    if not words:
        return transfers.History(), words
    head = words[0].lower()
    if head in ("all", "none"):
        return transfers.History(head), words[1:]
    if head == "last":
        count = number_in(words[1], 1, INT_MAX) if len(words) > 1 else None
        if count is None:
            return None, words
        return transfers.History("last", count), words[2:]
    return transfers.History(), words


async def _operator(target: str) -> Operator | None:
    """`@username` (Telegram), `<@U123>` (a Slack mention), `op:7` (a button)."""
    if target.startswith("op:"):
        number = row_id(target[3:])
        return await Operator.get_or_none(id=number) if number is not None else None
    if target.startswith("<@") and target.endswith(">"):
        return await Operator.get_or_none(slack_user_id=target[2:-1].split("|")[0])
    if target.startswith("@"):
        name = target[1:]
        found = await Operator.filter(telegram_username__iexact=name).first()
        return found or await Operator.filter(name__iexact=name).first()
    return None


async def _line(target: str) -> Line | None:
    if target.startswith("line:"):
        number = row_id(target[5:])
        return await Line.get_or_none(id=number) if number is not None else None
    return await Line.filter(slug__iexact=target).first()


async def _to_operator(ctx: CommandContext, operator: Operator, note: str) -> Reply:
    conversation = ctx.conversation
    assert conversation is not None
    if operator.id == ctx.operator.id:
        return Reply(Text(_("You cannot transfer a conversation to yourself.")), ok=False)
    if operator.id == conversation.assignee_id:  # type: ignore[attr-defined]
        return Reply(
            Text(
                _("Conversation #{number} is already {name}'s."),
                number=conversation.number,
                name=operator.name,
            ),
            ok=False,
        )
    if not await LineMember.exists(line_id=ctx.line.id, operator_id=operator.id):
        return Reply(
            Text(_("{name} is not in line {line}."), name=operator.name, line=ctx.line.name),
            ok=False,
        )
    if operator.status != OperatorStatus.FREE:
        return Reply(
            Text(
                _("{name} is not free ({status}): only free colleagues take transfers."),
                name=operator.name,
                status=operator.status,
            ),
            ok=False,
        )
    await transfers.to_operator(ctx.actions, conversation, operator, by=ctx.operator, note=note)
    return Reply(
        Text(
            _("Conversation #{number} transferred to {name}."),
            number=conversation.number,
            name=operator.name,
        ),
        quiet=True,
    )


async def _to_line(ctx: CommandContext, line: Line, history: transfers.History, note: str) -> Reply:
    conversation = ctx.conversation
    assert conversation is not None
    if line.id == conversation.line_id:  # type: ignore[attr-defined]
        return Reply(
            Text(_("The conversation is already in line {line}."), line=line.name), ok=False
        )
    await transfers.to_line(
        ctx.actions, conversation, line, by=ctx.operator, history=history, note=note
    )
    return Reply(
        Text(
            _("Conversation #{number} transferred to line {line}."),
            number=conversation.number,
            line=line.name,
        ),
        quiet=True,
    )


async def _choices(ctx: CommandContext) -> Reply:
    """The Transfer button: free colleagues of this line and the other lines."""
    conversation = ctx.conversation
    assert conversation is not None
    colleagues = [
        o
        for o in await assignment.members(ctx.line)
        if o.status == OperatorStatus.FREE and o.id != ctx.operator.id
    ]
    lines = await Line.exclude(id=ctx.line.id).order_by("id")
    buttons = [
        Button(Text(_("→ {name}"), name=o.name), "transfer", conversation.id, f"op:{o.id}")
        for o in colleagues[:8]
    ] + [
        Button(
            Text(_("→ line {name}"), name=line.name), "transfer", conversation.id, f"line:{line.id}"
        )
        for line in lines[:8]
    ]
    if not buttons:
        return Reply(
            Text(_("Nobody to transfer to: no free colleagues and no other lines.")), ok=False
        )
    title = Text(_("Transfer conversation #{number} to:"), number=conversation.number)
    return Reply(title, card=Card(title=title, buttons=buttons, row_width=2))


async def snooze(ctx: CommandContext) -> Reply:
    refused = _refuse_closed(ctx)
    if refused:
        return refused
    conversation = ctx.conversation
    assert conversation is not None
    tz = ((ctx.line.business_hours or {}).get("timezone")) or ctx.actions.settings.timezone
    try:
        until = parse_snooze(ctx.args, ctx.clock.now(), tz)
    except BadTime:
        return Reply(
            Text(
                _(
                    "When? For example: /snooze 2h, /snooze 30m, /snooze tomorrow 10:00 (up to 90 days ahead)."  # noqa: E501
                )
            ),
            ok=False,
        )
    await ctx.actions.snooze(conversation, until, by=ctx.operator)
    return Reply(
        Text(
            _("Conversation #{number} snoozed until {time} ({tz})."),
            number=conversation.number,
            time=until.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
            tz=tz,
        ),
        quiet=True,
    )


def register(registry: CommandRegistry) -> None:
    registry.add(
        Command(
            "transfer",
            _("hand the conversation to a free colleague or to another line"),
            transfer,
            usage=USAGE,
        )
    )
    registry.add(
        Command(
            "snooze",
            _("put off until a time; the customer's message wakes it earlier"),
            snooze,
            usage="2h | tomorrow 10:00",
        )
    )
