"""Operators -> customers: messages, edits, commands and buttons from a workspace thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.base.cards import Card
from bot.base.clock import Clock
from bot.base.events import (
    DELETED,
    TEXT_ONLY,
    CommandCall,
    MessageBody,
    OperatorRef,
    ThreadRef,
    WorkspaceDelete,
    WorkspaceEdit,
    WorkspaceMessage,
)
from bot.base.i18n import Text, _
from bot.base.log_context import about, conversation_is
from bot.base.metrics import Metrics
from bot.commands.context import CommandContext, Reply
from bot.commands.parser import parse_command
from bot.commands.registry import CommandRegistry
from bot.conversations.answers_together import Answer, AnswersTogether
from bot.conversations.desk_actions import DeskActions
from bot.conversations.message_links import (
    apply_edit,
    find_link,
    record_message,
    source_key_in,
    workspace_chat_key,
)
from bot.conversations.view import (
    header_card,
    latest_in_chat_thread,
    load_for_view,
    thread_in_line,
)
from bot.outbox.queue import Outbox
from bot.people.operator_lookup import Operators
from storage.models import (
    Conversation,
    ConversationStatus,
    DeliveryKind,
    Direction,
    Line,
    LineMember,
    Message,
    Operator,
    Thread,
)
from storage.prepared import get_by_id

log = logging.getLogger(__name__)

REPLY_COMMAND = "reply"


@dataclass(frozen=True)
class Place:
    line: Line
    operator: Operator
    thread: Thread | None
    conversation: Conversation | None


class WorkspaceFlow:
    def __init__(
        self,
        *,
        operators: Operators,
        outbox: Outbox,
        registry: CommandRegistry,
        clock: Clock,
        actions: DeskActions,
        album_wait: float,
        note_prefix: Callable[[], str],
        metrics: Metrics,
        bot_username: Callable[[str], str | None] = lambda kind: None,
    ) -> None:
        self._actions = actions
        self._metrics = metrics
        self._album_wait = album_wait
        self._operators = operators
        self._outbox = outbox
        self._registry = registry
        self._clock = clock
        self._note_prefix = note_prefix  # read on every message: the admin panel changes it
        self._bot_username = bot_username
        self._answers = AnswersTogether(outbox=outbox, actions=actions, album_wait=album_wait)

    @property
    def commands(self) -> CommandRegistry:
        return self._registry

    async def _place(
        self, ref: ThreadRef, author, conversation_id: int | None = None
    ) -> Place | None:
        latest = None
        if conversation_id is None and ref.thread_id is not None:
            # A message in a topic, most often an answer: its thread, conversation and line
            # are read together.
            latest = await latest_in_chat_thread(ref.workspace_kind, ref.chat, ref.thread_id)
        line = (
            latest.thread.line
            if latest is not None
            else await self._operators.line_of(ref.workspace_kind, ref.chat)
        )
        if line is None:
            return None
        operator = await self._operators.resolve(line, author)
        if operator is None:
            return None
        await self._actions.touch(operator)
        if latest is not None:
            conversation_is(latest.id)
            return Place(line, operator, latest.thread, latest)
        if conversation_id is not None:
            # A button: on this line's conversations, or on a conversation of another line
            # of this operator's (a /queue list shows all of them).
            conversation = await Conversation.get_or_none(id=conversation_id)
            if conversation is not None and conversation.line_id != line.id:  # type: ignore[attr-defined]
                mine = await LineMember.exists(
                    line_id=conversation.line_id,  # type: ignore[attr-defined]
                    operator_id=operator.id,
                )
                if not mine:
                    conversation = None
                else:
                    line = await get_by_id(Line, conversation.line_id)  # type: ignore[attr-defined]
            thread = await conversation.thread if conversation else None
            conversation_is(conversation.id if conversation else None)
            return Place(line, operator, thread, conversation)
        if ref.thread_id is None:
            return Place(line, operator, None, None)
        # A topic without a conversation (one Relaydesk did not open, or not yet).
        thread = await thread_in_line(line.id, ref.workspace_kind, ref.thread_id)
        conversation_is(None)
        return Place(line, operator, thread, None)

    async def accept_message(self, event: WorkspaceMessage) -> None:
        """Store and relay `event` once, however often the workspace delivers it: a repeat
        (a messenger's retry, a re-read update) is dropped, never an error to the caller."""
        key = self._source_key(event)
        # A repeat is refused by the message's unique source key, which rolls all of it back.
        try:
            with about():
                await self._accept_message(event)
        except IntegrityError:
            if await Message.exists(source_key=key):
                log.info("Duplicate workspace message %s dropped", key)
            else:  # its id is already another message's in this chat: not a real update
                log.warning("Workspace message %s reuses a stored message's id: dropped", key)
        self._metrics.update_handled("workspace", event.place.workspace_kind)

    def _source_key(self, event: WorkspaceMessage) -> str:
        chat_key = workspace_chat_key(event.place.workspace_kind, event.place.chat)
        return source_key_in(chat_key, event.external_id)

    async def _accept_message(self, event: WorkspaceMessage) -> None:
        """Answers to the operator go through the outbox like everything else."""
        parsed = parse_command(event.body.text, self._bot_username(event.place.workspace_kind))
        place = await self._place(event.place, event.author)
        if place is None:
            if parsed is not None:
                await self._refuse_stranger(event)
            return None
        marked = parsed is not None and parsed.name == REPLY_COMMAND and bool(parsed.args)
        if marked:
            # `!reply text`: the explicit form, required on lines in "marked" reply mode.
            # The typed text differs from what is sent, so the message is rebuilt, not copied.
            body = MessageBody("text", parsed.args, {TEXT_ONLY: True})  # type: ignore[union-attr]
            event = replace(event, body=body)
        elif parsed is not None:
            call = CommandCall(
                place=event.place,
                author=event.author,
                name=parsed.name,
                args=parsed.args,
                external_id=event.external_id,
            )
            await self._run(call, place)
            return None
        if place.thread is None or place.conversation is None:
            return None  # the general topic, or a topic Relaydesk did not open: team chatter
        conversation = place.conversation
        chat_key = workspace_chat_key(event.place.workspace_kind, event.place.chat)
        text = event.body.text or ""
        prefix = self._note_prefix()
        noted = text.startswith(prefix)
        if not marked and (noted or place.line.reply_mode == "marked"):
            async with in_transaction():
                await record_message(
                    conversation,
                    event,
                    direction=Direction.NOTE,
                    text=text[len(prefix) :].strip() if noted else text,
                    chat_key=chat_key,
                    source_key=self._source_key(event),
                    author=place.operator,
                )
            return None
        if conversation.status == ConversationStatus.CLOSED:
            async with in_transaction():
                await self._actions.changed(
                    conversation, "operator_message_closed", actor=place.operator, text=text
                )
            await self._outbox.confirm(place.line.id, event.place.chat, event.external_id, False)
            await self._say(
                place,
                event.external_id,
                Reply(
                    Text(
                        _(
                            "Not sent: conversation #{number} is closed. Use /reopen to write to the customer."  # noqa: E501
                        ),
                        number=conversation.number,
                    ),
                    ok=False,
                ),
            )
            return None
        await self._answers.store(
            Answer(
                event,
                conversation,
                place.operator,
                place.line,
                chat_key,
                self._source_key(event),
                text,
            )
        )
        return None

    async def accept_edit(self, event: WorkspaceEdit) -> None:
        with about():
            await self._edit(event)
        self._metrics.update_handled("workspace", event.place.workspace_kind)

    async def _edit(self, event: WorkspaceEdit) -> None:
        chat_key = workspace_chat_key(event.place.workspace_kind, event.place.chat)
        link = await find_link(chat_key, event.external_id)
        if link is None:
            return
        place = await self._place(event.place, event.author)
        if place is None:
            return
        async with in_transaction():
            message = await apply_edit(link, event.body, self._clock.now())
            if message.direction == Direction.OUT:
                conversation = await message.conversation
                await self._outbox.to_customer(conversation, DeliveryKind.EDIT, message=message)

    async def accept_delete(self, event: WorkspaceDelete) -> None:
        """An operator deleted their answer: take it back from the customer too."""
        with about():
            await self._delete(event)
        self._metrics.update_handled("workspace", event.place.workspace_kind)

    async def _delete(self, event: WorkspaceDelete) -> None:
        chat_key = workspace_chat_key(event.place.workspace_kind, event.place.chat)
        link = await find_link(chat_key, event.external_id)
        if link is None or await self._place(event.place, event.author) is None:
            return
        async with in_transaction():
            message = await get_by_id(Message, link.message_id)  # type: ignore[attr-defined]
            message.content = {**message.content, DELETED: True}
            message.edited_at = self._clock.now()
            await message.save(update_fields=["content", "edited_at"])
            if message.direction == Direction.OUT:
                conversation = await message.conversation
                await self._outbox.to_customer(conversation, DeliveryKind.DELETE, message=message)

    async def card_for(self, ref: ThreadRef, author: OperatorRef) -> Card | None:
        """The current conversation's card with its buttons, for an operator who asks for the
        actions of a thread (Slack's message shortcut)."""
        place = await self._place(ref, author)
        if place is None or place.conversation is None:
            return None
        return header_card(await load_for_view(place.conversation.id))

    async def run_command(self, call: CommandCall) -> Reply | None:
        """A button press: the reply is for the bridge to show in place (a toast), or None
        when the presser may not act here."""
        with about(conversation_id=call.conversation_id):
            reply = await self._press(call)
        self._metrics.update_handled("workspace", call.place.workspace_kind)
        return reply

    async def _press(self, call: CommandCall) -> Reply | None:
        place = await self._place(call.place, call.author, call.conversation_id)
        if place is None:
            return None
        return await self._run(call, place)

    async def _run(self, call: CommandCall, place: Place) -> Reply | None:
        command = self._registry.get(call.name)
        if command is None:
            reply = Reply(
                Text(_("Unknown command /{name}. /help lists the commands."), name=call.name),
                ok=False,
            )
        elif command.needs_conversation and place.conversation is None:
            reply = Reply(
                Text(_("/{name} works inside a conversation's topic."), name=call.name), ok=False
            )
        else:
            ctx = CommandContext(
                operator=place.operator,
                line=place.line,
                thread=place.thread,
                conversation=place.conversation,
                args=call.args,
                outbox=self._outbox,
                clock=self._clock,
                registry=self._registry,
                note_prefix=self._note_prefix(),
                actions=self._actions,
                external_id=call.external_id,
                from_button=call.from_button,
            )
            reply = await command.handler(ctx)
        if call.from_button:
            if reply.card is not None:  # a choice to make: it goes in the thread
                await self._say(place, None, reply)
            return reply
        await self._say(place, call.external_id, reply)
        return None

    async def _refuse_stranger(self, event: WorkspaceMessage) -> None:
        """A command from someone who is not an operator of the line: a plain answer, and
        nothing else happens (other words from them are simply not relayed)."""
        line = await self._operators.line_of(event.place.workspace_kind, event.place.chat)
        if line is None:
            return
        await self._outbox.confirm(line.id, event.place.chat, event.external_id, False)
        text = Text(_("Only operators of this line can do that."))
        thread = conversation = None
        if event.place.thread_id is not None:
            ref = event.place
            conversation = await latest_in_chat_thread(ref.workspace_kind, ref.chat, ref.thread_id)
            thread = conversation.thread if conversation is not None else None
        if thread is None or conversation is None:
            await self._outbox.notice_line(line.id, text)
        else:
            await self._outbox.notice_thread(thread, conversation, text)

    async def _say(self, place: Place, external_id: str | None, reply: Reply) -> None:
        """A typed command's answer: a reaction when it worked quietly, else words in the thread."""
        thread, conversation = place.thread, place.conversation
        if reply.card is not None:
            if thread is None or conversation is None:
                await self._outbox.card_line(place.line.id, reply.card)
            else:
                await self._outbox.card_thread(thread, conversation, reply.card)
            return
        if reply.quiet and reply.ok and external_id:
            await self._outbox.confirm(place.line.id, place.line.workspace_chat, external_id, True)
        elif thread is None or conversation is None:
            await self._outbox.notice_line(place.line.id, reply.text)
        else:
            await self._outbox.notice_thread(thread, conversation, reply.text)
