"""Operators' answers that arrive together are stored together.

Under load operators answer in many topics at once (a getUpdates batch holds a hundred of
their messages). Each answer was stored in a transaction of its own: begin, the message, its
link, the conversation's answer times (and assignee, with its audit entry), the copy to the
customer and the title refresh, commit. Here the answers that arrive in the same few turns
of the event loop wait for the batch before them, and one transaction writes them all with
one statement per table (`record_messages`, `DeskActions.answered_all`, `Outbox.together`);
then the watchers hear of each answer, as they did of one.

Two answers in one conversation (read side by side, as webhooks may come) never share a
batch: the later is written after it, with its conversation read again, so that the first
one's assignment is seen by it. A batch the database refuses (a repeated update
among them) is written again one answer at a time: the repeat fails alone, and its caller
tells it apart as it always did.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.base.events import WorkspaceMessage
from bot.base.gathering import Gathering
from bot.conversations.desk_actions import Answered, DeskActions
from bot.conversations.message_links import Recorded, record_messages
from bot.outbox.queue import Outbox
from storage.models import Conversation, DeliveryKind, Direction, Line, Operator

log = logging.getLogger(__name__)

# Turns of the event loop a batch waits before it is taken (`bot.base.gathering`).
GATHER_TURNS = 1


@dataclass(frozen=True)
class Answer:
    """An operator's message in a conversation's thread, to go to its customer."""

    event: WorkspaceMessage
    conversation: Conversation
    operator: Operator
    line: Line
    chat_key: str
    source_key: str
    text: str


class AnswersTogether:
    def __init__(self, *, outbox: Outbox, actions: DeskActions, album_wait: float) -> None:
        self._outbox = outbox
        self._actions = actions
        self._album_wait = album_wait
        self._batches: Gathering[Answer, None] = Gathering(self._store, GATHER_TURNS)

    async def store(self, answer: Answer) -> None:
        """Return once `answer` is stored with its copy to the customer queued; raise what
        storing it raised (IntegrityError for a repeat)."""
        await self._batches.submit(answer)

    async def _store(self, answers: list[Answer]) -> list[None | BaseException]:
        results: dict[int, None | BaseException] = {}
        together, seen, again = [], set(), []
        for answer in answers:
            if answer.conversation.id in seen:
                again.append(answer)
            else:
                seen.add(answer.conversation.id)
                together.append(answer)
        alone, reread = [], {id(answer) for answer in again}
        try:
            await self._write(together)
            results.update((id(answer), None) for answer in together)
        except Exception as error:
            if len(together) == 1:
                results[id(together[0])] = error
            else:
                log.info(
                    "Storing %d answers together failed (%s): one by one",
                    len(together),
                    type(error).__name__,
                )
                alone = together
        for answer in alone + again:  # each alone, in the order they came
            try:
                if id(answer) in reread:  # it was read before the answer ahead of it was stored
                    await answer.conversation.refresh_from_db()
                await self._write([answer])
            except Exception as error:
                results[id(answer)] = error
            else:
                results[id(answer)] = None
        return [results[id(answer)] for answer in answers]

    async def _write(self, answers: list[Answer]) -> None:
        async with in_transaction():
            messages = await record_messages(
                [
                    Recorded(
                        a.conversation,
                        a.event,
                        Direction.OUT,
                        a.event.body.text,
                        a.chat_key,
                        a.source_key,
                        a.operator,
                    )
                    for a in answers
                ]
            )
            changed = await self._actions.answered_all(
                [Answered(a.conversation, a.operator, a.line) for a in answers]
            )
            async with self._outbox.together():
                for answer, message, refresh in zip(answers, messages, changed, strict=True):
                    album = answer.event.album_key
                    await self._outbox.to_customer(
                        answer.conversation,
                        DeliveryKind.RELAY,
                        message=message,
                        group_key=album,
                        delay=self._album_wait if album else 0.0,
                    )
                    if refresh:
                        await self._outbox.refresh(answer.conversation)
            for answer in answers:
                await self._actions.changed(
                    answer.conversation, "operator_message", actor=answer.operator, text=answer.text
                )
