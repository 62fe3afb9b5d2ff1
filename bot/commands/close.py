"""close, topic, result: closing with a topic from the line's dictionary and a result."""

from __future__ import annotations

from bot.base.bounds import number_in
from bot.base.i18n import Text, _
from bot.commands.context import Command, CommandContext, Reply
from bot.commands.registry import CommandRegistry
from bot.conversations import closing
from bot.conversations.view import CLOSING_RESULTS, RESULT_NAMES
from storage.models import Conversation, ConversationStatus


def _open_conversation(ctx: CommandContext) -> Conversation | Reply:
    conversation = ctx.conversation
    assert conversation is not None
    if conversation.status == ConversationStatus.CLOSED:
        return Reply(
            Text(_("Conversation #{number} is already closed."), number=conversation.number),
            ok=False,
        )
    return conversation


async def close(ctx: CommandContext) -> Reply:
    conversation = _open_conversation(ctx)
    if isinstance(conversation, Reply):
        return conversation
    result, comment = closing.split_result(ctx.args)
    pending = conversation.closing or {}
    conversation.closing = {
        "result": result or pending.get("result"),
        "comment": comment or pending.get("comment"),
    }
    await conversation.save(update_fields=["closing"])
    return await _go_on(ctx, conversation)


async def _go_on(ctx: CommandContext, conversation: Conversation) -> Reply:
    """Ask for what a pending /close still lacks, or close."""
    question = await closing.what_is_missing(conversation, ctx.line)
    if question is not None:
        return Reply(question.title, card=question)
    pending = conversation.closing or {}
    await closing.finish(
        ctx.actions,
        conversation,
        by=ctx.operator,
        result=pending["result"],
        comment=pending.get("comment"),
    )
    return Reply(Text(_("Conversation #{number} closed."), number=conversation.number), quiet=True)


async def topic(ctx: CommandContext) -> Reply:
    conversation = ctx.conversation
    assert conversation is not None
    topics = list(ctx.line.topics or [])
    if not topics:
        return Reply(Text(_("This line has no topic dictionary.")), ok=False)
    if not ctx.args:
        card = closing.topic_card(conversation, topics)
        return Reply(card.title, card=card)
    chosen = _pick_topic(ctx.args, topics, ctx.from_button)
    if chosen is None:
        return Reply(Text(_("No such topic. The topics are:\n{topics}"), topics=topics), ok=False)
    await ctx.actions.set_topic(conversation, chosen, by=ctx.operator)
    if conversation.closing is not None and conversation.status != ConversationStatus.CLOSED:
        return await _go_on(ctx, conversation)
    await ctx.outbox.refresh(conversation)
    return Reply(Text(_("Topic set: {topic}."), topic=chosen), quiet=True)


def _pick_topic(args: str, topics: list[str], from_button: bool) -> str | None:
    """A button sends the topic's index; a person types its name or its number."""
    text = args.strip()
    number = number_in(text, 0, len(topics))
    if number is not None:
        index = number - (0 if from_button else 1)
        return topics[index] if 0 <= index < len(topics) else None
    matches = [t for t in topics if t.casefold() == text.casefold()]
    return matches[0] if matches else None


async def result(ctx: CommandContext) -> Reply:
    conversation = _open_conversation(ctx)
    if isinstance(conversation, Reply):
        return conversation
    code = ctx.args.strip().lower()
    if code not in CLOSING_RESULTS:
        names = [
            Text(_("{code} — {name}"), code=c, name=Text(RESULT_NAMES[c])) for c in CLOSING_RESULTS
        ]
        return Reply(Text(_("Choose one of the results:\n{results}"), results=names), ok=False)
    conversation.closing = {**(conversation.closing or {}), "result": code}
    await conversation.save(update_fields=["closing"])
    return await _go_on(ctx, conversation)


def register(registry: CommandRegistry) -> None:
    registry.add(
        Command(
            "close",
            _("close the conversation; the result is solved, unsolved or spam"),
            close,
            usage="[result] [comment]",
        )
    )
    registry.add(
        Command("topic", _("set the topic from the line's dictionary"), topic, usage="[topic]")
    )
    registry.add(Command("result", _("the result of a closing"), result, hidden=True))
