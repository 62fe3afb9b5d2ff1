"""status, next, queue: an operator's own state and the conversations waiting for someone."""

from __future__ import annotations

from bot.base.cards import Button, Card
from bot.base.i18n import Text, _
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.conversations import assignment
from storage.models import Conversation, ConversationStatus, LineMember, OperatorStatus

STATUS_NAMES = {
    OperatorStatus.FREE: _("free"),
    OperatorStatus.AWAY: _("away"),
    OperatorStatus.BUSY: _("busy for new conversations"),
    OperatorStatus.DND: _("do not disturb"),
}
QUEUE_SHOWN = 10


async def status(ctx: CommandContext) -> Reply:
    operator = ctx.operator
    wanted = ctx.args.strip().lower()
    if wanted:
        try:
            new = OperatorStatus(wanted)
        except ValueError:
            return Reply(
                Text(
                    _("Unknown status {status}. Use one of: free, away, busy, dnd."),
                    status=wanted,
                ),
                ok=False,
            )
        await ctx.actions.set_status(operator, new, by=operator)
    load = await assignment.load_of(operator)
    return Reply(
        Text(
            _("{name}: {status}. Open conversations: {load} of {capacity}."),
            name=operator.name,
            status=Text(STATUS_NAMES[OperatorStatus(operator.status)]),
            load=load,
            capacity=operator.capacity,
        )
    )


async def _waiting(ctx: CommandContext) -> list[Conversation]:
    line_ids = await LineMember.filter(operator_id=ctx.operator.id).values_list(
        "line_id", flat=True
    )
    return (
        await Conversation.filter(
            line_id__in=list(line_ids), status=ConversationStatus.QUEUED, assignee_id=None
        )
        .order_by("queued_at", "id")
        .prefetch_related("contact", "line", "thread")
    )


def _wait_minutes(ctx: CommandContext, conversation: Conversation) -> int:
    since = conversation.queued_at or conversation.created_at
    return max(0, int((ctx.clock.now() - since).total_seconds() // 60))


async def next_(ctx: CommandContext) -> Reply:
    waiting = await _waiting(ctx)
    if not waiting:
        return Reply(Text(_("The queue is empty.")))
    conversation = waiting[0]
    await ctx.actions.assign(conversation, ctx.operator, by=ctx.operator, via="next")
    return Reply(
        Text(
            _("You took conversation #{number} ({customer}, waited {minutes} min): {link}"),
            number=conversation.number,
            customer=conversation.contact.name,
            minutes=_wait_minutes(ctx, conversation),
            link=ctx.actions.thread_link(conversation.thread) or "—",
        )
    )


async def queue(ctx: CommandContext) -> Reply:
    waiting = await _waiting(ctx)
    if not waiting:
        return Reply(Text(_("The queue is empty.")))
    shown = waiting[:QUEUE_SHOWN]
    lines = [
        Text(
            _("#{number} {customer} — {line}, waiting {minutes} min"),
            number=c.number,
            customer=c.contact.name,
            line=c.line.name,
            minutes=_wait_minutes(ctx, c),
        )
        for c in shown
    ]
    title = Text(
        _("Waiting: {count}. Oldest first:\n{conversations}"),
        count=len(waiting),
        conversations=lines,
    )
    buttons = [Button(Text(_("Take #{number}"), number=c.number), "take", c.id) for c in shown]
    return Reply(title, card=Card(title=title, buttons=buttons, row_width=3))


def register(registry: CommandRegistry) -> None:
    registry.add(
        Command(
            "next",
            _("take the conversation that has waited longest"),
            next_,
            needs_conversation=False,
        )
    )
    registry.add(
        Command(
            "queue",
            _("the conversations waiting in your lines"),
            queue,
            needs_conversation=False,
        )
    )
    registry.add(
        Command(
            "status",
            _("show or set your status: free, away, busy, dnd"),
            status,
            usage="[free|away|busy|dnd]",
            needs_conversation=False,
        )
    )
