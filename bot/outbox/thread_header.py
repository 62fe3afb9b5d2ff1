"""A thread's header — its title and its conversation's card — kept up to date.

Header refreshes have a queue of their own (`header:<thread>`), apart from the thread's
messages: a customer's message never waits behind a title or card edit. A refresh renders the
conversation as it is when it is sent, so every refresh queued before it is superseded: the
worker hands them over together and each distinct card is edited once, and only when what it
shows has changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.base.cards import Card
from bot.base.ports import DeliveryError, ThreadTarget, WorkspaceSender
from bot.conversations.message_links import workspace_chat_key
from bot.conversations.view import (
    header_card,
    latest_view_in,
    load_for_view,
    thread_title,
)
from bot.outbox.merging import parts_shown_with
from storage.models import Conversation, Delivery, Thread

# Cards remembered as last shown, to skip an edit that would change nothing; forgotten all at
# once past this (the next edit of each goes through once more).
REMEMBERED_CARDS = 20_000


class NotYet(DeliveryError):
    """The delivery cannot go yet (its thread is being opened): try again in `seconds`,
    without spending an attempt."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"waiting {seconds:.1f}s for the thread to open")
        self.seconds = seconds


class ThreadHeaders:
    def __init__(self) -> None:
        self._opening: set[int] = set()  # threads whose opening call is in flight here
        self._shown: dict[tuple[int, str], str] = {}

    @contextmanager
    def opening(self, thread: Thread) -> Iterator[None]:
        """While a thread is opened, its header is being written: refreshes wait for it."""
        self._opening.add(thread.id)
        try:
            yield
        finally:
            self._opening.discard(thread.id)

    def shown(self, thread: Thread, card_id: str, card: Card) -> None:
        """`card` is what `card_id` shows now (it was just posted or edited)."""
        if len(self._shown) >= REMEMBERED_CARDS:
            self._shown.clear()
        self._shown[(thread.id, card_id)] = repr(card)

    def must_wait(self, thread: Thread) -> bool:
        """An unopened thread needs no refresh (it opens with its header as it is then),
        unless it is being opened right now with what may already be old."""
        return thread.external_id is None and thread.id in self._opening

    async def refresh(
        self,
        thread: Thread,
        target: ThreadTarget,
        sender: WorkspaceSender,
        deliveries: list[Delivery],
        latest: Conversation | None = None,
    ) -> None:
        """`latest`: the thread's latest conversation as viewed, when it was just read."""
        if thread.external_id is None:
            if self.must_wait(thread):
                raise NotYet(1.0)
            return
        done: set[tuple[int, str | None]] = set()
        for delivery in deliveries:
            key = (delivery.conversation_id, delivery.payload.get("card_id"))  # type: ignore[attr-defined]
            if key not in done:
                done.add(key)
                await self.update(thread, target, sender, delivery, latest)

    async def update(
        self,
        thread: Thread,
        target: ThreadTarget,
        sender: WorkspaceSender,
        head: Delivery,
        latest: Conversation | None = None,
    ) -> None:
        """Title and card of `thread` as they should be now. A thread the conversation was
        transferred away from keeps its old card (named in the payload), without buttons."""
        # Mostly the thread's latest conversation: then one statement reads both.
        if latest is None:
            latest = await latest_view_in(thread.id)
        if latest is not None and latest.id == head.conversation_id:  # type: ignore[attr-defined]
            view = latest
        else:
            view = await load_for_view(head.conversation_id)  # type: ignore[attr-defined]
        shown = latest if latest is not None and view.thread_id == thread.id else view  # type: ignore[attr-defined]
        title = thread_title(shown, thread.id)
        if title != thread.title:
            await sender.rename_thread(target, title)
            thread.title = title
            await thread.save(update_fields=["title"])
        card_id = head.payload.get("card_id") or view.card_message_id
        if not card_id:
            return
        card = header_card(view, thread.id)
        if self._shown.get((thread.id, card_id)) != repr(card):
            # A card that opened its thread with the customer's first texts keeps them.
            chat_key = workspace_chat_key(thread.workspace_kind, thread.workspace_chat)
            below = await parts_shown_with(chat_key, card_id)
            if below:
                await sender.edit_together(target, card_id, below, card)
            else:
                await sender.update_card(target, card_id, card)
            self.shown(thread, card_id, card)
