"""Opening a conversation's thread: on first use, or again after it was deleted by hand.

The thread is stored the moment it exists and its card is a step of its own: a send that
fails after the thread was opened is retried into that thread, never into a second one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.base.cards import Card
from bot.base.ports import OpenedThread, ThreadTarget, WorkspaceSender
from bot.conversations.view import header_card, latest_view_in, thread_title
from bot.outbox.thread_header import ThreadHeaders
from storage.models import Conversation, Thread

log = logging.getLogger(__name__)

# A conversation as its thread's card showed it, and that card.
Opened = tuple[Conversation, Card]


@dataclass(frozen=True)
class PostedCard:
    """A thread's owed card, posted: the message `card_id` shows `view`'s card."""

    thread: Thread
    view: Conversation
    card_id: str


async def cards_posted(cards: list[PostedCard]) -> None:
    """Store that each card shows its conversation and its thread owes none, in two
    statements for all; call inside the transaction that stores what came with them."""
    for card in cards:
        card.view.card_message_id = card.card_id
        card.thread.card_owed = False
    await Conversation.bulk_update([card.view for card in cards], fields=["card_message_id"])
    await Thread.filter(id__in=[card.thread.id for card in cards]).update(card_owed=False)


class ThreadOpener:
    def __init__(self, headers: ThreadHeaders, operator_language: str) -> None:
        self._headers = headers
        self._operator_language = operator_language

    def target(self, thread: Thread) -> ThreadTarget:
        return ThreadTarget(thread.workspace_chat, thread.external_id, self._operator_language)

    async def ensure(
        self, thread: Thread, sender: WorkspaceSender, *, card_follows: bool = False
    ) -> tuple[ThreadTarget, Opened | None]:
        """The thread, opened if it is not (yet, or any more), with the header card of its
        latest conversation; with `card_follows` the card is left owed, for what is sent
        next to carry it (`owed_card`) or post it (`post_owed_card`). When this call opened
        the thread and left its card owed, the card it was rendered with comes back too."""
        opened = await self._open_thread(thread, sender) if thread.external_id is None else None
        target = self.target(thread)
        if thread.card_owed and not card_follows:
            await self.post_owed_card(thread, sender, target, opened)
            return target, None
        return target, opened if thread.card_owed else None

    async def post_owed_card(
        self,
        thread: Thread,
        sender: WorkspaceSender,
        target: ThreadTarget,
        opened: Opened | None = None,
    ) -> None:
        # A new thread's card as rendered to open it; a change since has queued a refresh.
        view, card = opened or await self.owed_card(thread)
        card_id = await sender.post_card(target, card)
        self._headers.shown(thread, card_id, card)
        async with in_transaction():
            await self.card_posted(thread, view, card_id)

    async def owed_card(self, thread: Thread) -> Opened:
        """The conversation whose card the thread owes, and that card as it is now."""
        return await self._latest_card(thread)

    async def card_posted(self, thread: Thread, view: Conversation, card_id: str) -> None:
        """Store that `card_id` shows `view`'s card; call inside the transaction that stores
        what came with it."""
        await cards_posted([PostedCard(thread, view, card_id)])

    async def _latest_card(self, thread: Thread) -> tuple[Conversation, Card]:
        view = await self._latest_view(thread)
        return view, header_card(view)

    async def _open_thread(
        self, thread: Thread, sender: WorkspaceSender
    ) -> tuple[Conversation, Card]:
        """Opens the thread; the conversation it was opened for, as viewed, and its card."""
        with self._headers.opening(thread):
            view = await self._latest_view(thread)
            title = thread_title(view)
            card = header_card(view)
            opened = await sender.open_thread(
                thread.workspace_chat, title, card, self._operator_language
            )
            await self._opened(thread, view, opened, title, card)
        log.info("Opened %s thread %s (#%s)", thread.workspace_kind, opened.thread_id, thread.id)
        return view, card

    async def _opened(
        self, thread: Thread, view: Conversation, opened: OpenedThread, title: str, card: Card
    ) -> None:
        thread.external_id, thread.title = opened.thread_id, title
        thread.card_owed = opened.card_id is None
        if opened.card_id is None:  # one statement: no transaction to begin and commit
            await thread.save(update_fields=["external_id", "title", "card_owed"])
            return
        async with in_transaction():
            await thread.save(update_fields=["external_id", "title", "card_owed"])
            view.card_message_id = opened.card_id
            await view.save(update_fields=["card_message_id"])
        self._headers.shown(thread, opened.card_id, card)

    async def _latest_view(self, thread: Thread) -> Conversation:
        latest = await latest_view_in(thread.id)
        assert latest is not None
        return latest
