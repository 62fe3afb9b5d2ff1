"""q: list, search and send the quick replies an operator may use in this conversation."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.base.bounds import row_id
from bot.base.cards import Button, Card
from bot.base.i18n import Text, _, verbatim
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.conversations import quick_reply_texts as quick_replies
from bot.suggestions.suggester import ANSWER_BUTTON
from storage.models import Conversation, ConversationStatus, Direction, Message, QuickReply

COMMAND = "q"
# Twelve buttons in rows of two fit a phone screen; the rest are a search away.
MAX_BUTTONS = 12


async def q(ctx: CommandContext) -> Reply:
    conversation = ctx.conversation
    assert conversation is not None
    if conversation.status == ConversationStatus.CLOSED:
        return Reply(
            Text(
                _(
                    "Not sent: conversation #{number} is closed. Use /reopen to write to the customer."  # noqa: E501
                ),
                number=conversation.number,
            ),
            ok=False,
        )
    replies = await quick_replies.visible(ctx.line.id, ctx.operator.id)
    if ctx.from_button:
        return await _pressed(ctx, conversation, replies)
    words = ctx.args.strip()
    if not words:
        return _menu(conversation, replies)
    exact = quick_replies.by_name(replies, words)
    if exact is not None:
        return await _send(ctx, conversation, exact)
    return await _found(ctx, conversation, words, quick_replies.search(replies, words))


async def _pressed(
    ctx: CommandContext, conversation: Conversation, replies: list[QuickReply]
) -> Reply:
    """A button carries the reply's id; one that is gone or not this operator's sends nothing.
    A suggested earlier answer carries `a<message id>`."""
    if ctx.args.startswith(ANSWER_BUTTON):
        return await _send_answer(ctx, conversation, ctx.args[len(ANSWER_BUTTON) :])
    chosen = quick_replies.by_id(replies, ctx.args)
    if chosen is None:
        return Reply(Text(_("This quick reply is no longer available.")), ok=False)
    return await _send(ctx, conversation, chosen)


def _menu(conversation: Conversation, replies: list[QuickReply]) -> Reply:
    if not replies:
        return Reply(
            Text(
                _(
                    "There are no quick replies here yet. An administrator adds them in the admin panel or with the relaydesk import command."  # noqa: E501
                )
            )
        )
    if len(replies) > MAX_BUTTONS:
        title = Text(
            _("Quick replies: the {shown} most used of {total}. Type /q words to find the others."),
            shown=MAX_BUTTONS,
            total=len(replies),
        )
    else:
        title = Text(_("Quick replies"))
    return _card(title, conversation, replies)


async def _found(
    ctx: CommandContext, conversation: Conversation, words: str, found: list[QuickReply]
) -> Reply:
    """A search: nothing is said so, one match is meant, several are offered to choose from."""
    if not found:
        return Reply(Text(_("No quick reply matches «{words}»."), words=words), ok=False)
    if len(found) == 1:
        return await _send(ctx, conversation, found[0])
    return _card(Text(_("Quick replies matching «{words}»"), words=words), conversation, found)


def _card(title: Text, conversation: Conversation, replies: list[QuickReply]) -> Reply:
    buttons = [
        Button(verbatim(reply.name), COMMAND, conversation.id, arg=str(reply.id))
        for reply in replies[:MAX_BUTTONS]
    ]
    return Reply(title, card=Card(title=title, buttons=buttons, row_width=2))


async def _send(ctx: CommandContext, conversation: Conversation, reply: QuickReply) -> Reply:
    message = await quick_replies.send(ctx.actions, conversation, ctx.operator, reply)
    if message is None:
        return Reply(
            Text(_("Quick reply «{name}» has no text to send."), name=reply.name), ok=False
        )
    # Quiet: a typed /q gets a 👍 on the command, a pressed button shows this as a toast.
    return Reply(Text(_("Sent quick reply «{name}»."), name=reply.name), quiet=True)


async def _send_answer(ctx: CommandContext, conversation: Conversation, raw: str) -> Reply:
    """An operator's earlier answer in this line, sent again by this operator."""
    message_id = row_id(raw)
    answer = (
        await Message.get_or_none(
            id=message_id, direction=Direction.OUT, conversation__line_id=ctx.line.id
        )
        if message_id is not None
        else None
    )
    if answer is None or not (answer.text or "").strip():
        return Reply(Text(_("This suggested answer is no longer available.")), ok=False)
    async with in_transaction():
        await ctx.actions.send_text(conversation, ctx.operator, answer.text or "")
    return Reply(Text(_("Sent the suggested answer.")), quiet=True)


def register(registry: CommandRegistry) -> None:
    registry.add(
        Command(
            COMMAND,
            _("quick replies: list, search, or send one by name"),
            q,
            usage="[name or words]",
        )
    )
