"""take, reopen, note, reply, help: the commands of one conversation."""

from __future__ import annotations

from bot.base.i18n import Text, _
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.conversations.message_links import record_written
from storage.models import Conversation, ConversationStatus, Direction


def _conversation(ctx: CommandContext) -> Conversation:
    assert ctx.conversation is not None and ctx.thread is not None
    return ctx.conversation


async def take(ctx: CommandContext) -> Reply:
    conversation = _conversation(ctx)
    number = conversation.number
    if conversation.status == ConversationStatus.CLOSED:
        return Reply(
            Text(_("Conversation #{number} is closed. Reopen it first."), number=number), ok=False
        )
    if conversation.assignee_id == ctx.operator.id:  # type: ignore[attr-defined]
        return Reply(Text(_("Conversation #{number} is already yours."), number=number), ok=False)
    await ctx.actions.assign(conversation, ctx.operator, by=ctx.operator, via="take")
    return Reply(Text(_("You took conversation #{number}."), number=number), quiet=True)


async def reopen(ctx: CommandContext) -> Reply:
    conversation = _conversation(ctx)
    number = conversation.number
    if conversation.status != ConversationStatus.CLOSED:
        return Reply(Text(_("Conversation #{number} is not closed."), number=number), ok=False)
    other = await Conversation.get_or_none(open_key=conversation.contact_id)  # type: ignore[attr-defined]
    if other is not None:
        return Reply(
            Text(_("The customer already has an open conversation #{other}."), other=other.number),
            ok=False,
        )
    if not await ctx.actions.reopen(conversation, by=ctx.operator):
        return Reply(Text(_("The customer has just opened a new conversation.")), ok=False)
    return Reply(Text(_("Conversation #{number} reopened."), number=number), quiet=True)


async def note(ctx: CommandContext) -> Reply:
    conversation = _conversation(ctx)
    if not ctx.args:
        return Reply(Text(_("Write the note after the command: /note text")), ok=False)
    await record_written(conversation, direction=Direction.NOTE, author=ctx.operator, text=ctx.args)
    return Reply(Text(_("Note saved; the customer does not see it.")), quiet=True)


async def help_(ctx: CommandContext) -> Reply:
    lines = [
        Text(
            _("{usage} — {help}"),
            usage=f"/{c.name}{' ' + c.usage if c.usage else ''}",
            help=Text(c.help),
        )
        for c in ctx.registry
    ]
    return Reply(
        Text(
            _(
                "Commands (also typed as !command):\n{commands}\nMessages starting with {prefix} stay internal."  # noqa: E501
            ),
            commands=lines,
            prefix=ctx.note_prefix,
        )
    )


async def reply_usage(ctx: CommandContext) -> Reply:
    """`!reply text` is sent by the workspace flow; without text it lands here."""
    return Reply(Text(_("Write the text after the command: !reply text")), ok=False)


def register(registry: CommandRegistry) -> None:
    registry.add(Command("take", _("assign the conversation to yourself"), take))
    registry.add(Command("reopen", _("reopen a closed conversation"), reopen))
    registry.add(
        Command("note", _("an internal note the customer does not see"), note, usage="text")
    )
    registry.add(
        Command(
            "reply",
            _("send the text to the customer (the only way on lines in marked reply mode)"),
            reply_usage,
            usage="text",
        )
    )


def register_help(registry: CommandRegistry) -> None:
    registry.add(Command("help", _("this list"), help_, needs_conversation=False))
