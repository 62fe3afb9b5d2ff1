"""Turning delivery rows into sender calls, and their outcomes into stored facts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from bot.base.cards import payload_card
from bot.base.clock import Clock
from bot.base.i18n import Text, _, pick_language
from bot.base.ports import (
    Bucket,
    CustomerBlocked,
    CustomerSender,
    CustomerTarget,
    DeliveryError,
    Outgoing,
    ThreadTarget,
    WorkspaceSender,
)
from bot.base.text_codec import payload_text
from bot.conversations.message_links import counterpart, customer_chat_key, workspace_chat_key
from bot.conversations.view import header_card, load_for_view, thread_title
from bot.outbox.queue import CONFIRM, CUSTOMER, LINE, THREAD, Outbox, parse_target
from storage.models import (
    Conversation,
    Delivery,
    Direction,
    Identity,
    Line,
    Message,
    MessageLink,
    Thread,
)

log = logging.getLogger(__name__)

POSTING_OPS = {"relay", "notice", "card.post", "card.show", "ask"}


@dataclass
class Plan:
    buckets: list[Bucket]
    slots: int
    component: str = ""  # the workspace kind or customer channel that sends it


class NoSender(DeliveryError):
    """The workspace or channel of a delivery is not configured (any more)."""


class Unavailable(DeliveryError):
    """The workspace or channel is configured but not connected yet (or any more): the
    delivery waits for it without spending an attempt."""

    def __init__(self, component: str) -> None:
        super().__init__(f"{component} is not connected")
        self.component = component


class DeliveryExecutor:
    def __init__(
        self,
        *,
        workspaces: dict[str, WorkspaceSender],
        customers: dict[str, CustomerSender],
        outbox: Outbox,
        clock: Clock,
        operator_language: str,
        customer_language: Callable[[], str] = lambda: "en",
        waiting_for: Callable[[str], bool] = lambda _: False,
    ) -> None:
        self._waiting_for = waiting_for  # the health registry: is this component coming?
        self._workspaces = workspaces
        self._customers = customers
        self._outbox = outbox
        self._clock = clock
        self._operator_language = operator_language
        self._customer_language = customer_language  # read live: the admin panel changes it

    # -- planning ---------------------------------------------------------------------------

    async def plan(self, deliveries: list[Delivery]) -> Plan:
        head = deliveries[0]
        kind, ident = parse_target(head.target)
        if kind == THREAD:
            thread = await Thread.get(id=ident)
            sender = self._workspace(thread.workspace_kind)
            slots = len(deliveries) if head.op in POSTING_OPS else 0
            if head.op == "state":
                slots = 1  # a renamed topic leaves a service message in the group
            if thread.card_owed and thread.external_id is not None:
                slots += 1  # the card of a topic that was opened without it
            if thread.external_id is None:
                slots += 2  # the topic and its card
            buckets = sender.buckets(thread.workspace_chat, slots > 0)
            return Plan(buckets, max(slots, 1), thread.workspace_kind)
        if kind in (LINE, CONFIRM):
            line = await Line.get(id=ident)
            sender = self._workspace(line.workspace_kind)
            return Plan(sender.buckets(line.workspace_chat, kind == LINE), 1, line.workspace_kind)
        identity = await Identity.get(id=ident)
        customer = self._customer(identity.channel)
        posts = head.op in POSTING_OPS
        slots = len(deliveries) if posts else 1
        return Plan(customer.buckets(identity.external_id, posts), slots, identity.channel)

    def waiting_for(self, component: str) -> bool:
        return self._waiting_for(component)

    def _workspace(self, kind: str) -> WorkspaceSender:
        if kind not in self._workspaces:
            if self._waiting_for(kind):
                raise Unavailable(kind)
            raise NoSender(f"no {kind} workspace is configured")
        return self._workspaces[kind]

    def _customer(self, channel: str) -> CustomerSender:
        if channel not in self._customers:
            if self._waiting_for(channel):
                raise Unavailable(channel)
            raise NoSender(f"no {channel} customer channel is configured")
        return self._customers[channel]

    # -- execution --------------------------------------------------------------------------

    async def execute(self, deliveries: list[Delivery]) -> None:
        """Send; raise a DeliveryError (or anything, counted as transient) when it did not go."""
        head = deliveries[0]
        kind, ident = parse_target(head.target)
        if kind == THREAD:
            await self._to_thread(await Thread.get(id=ident), deliveries)
        elif kind == CUSTOMER:
            await self._to_customer(await Identity.get(id=ident), deliveries)
        elif kind == LINE:
            line = await Line.get(id=ident)
            target = ThreadTarget(line.workspace_chat, None, self._operator_language)
            sender = self._workspace(line.workspace_kind)
            if head.op == "card.show":
                await sender.show_card(target, payload_card(head.payload))
            else:
                await sender.notice(target, payload_text(head.payload))
        elif kind == CONFIRM:
            line = await Line.get(id=ident)
            await self._workspace(line.workspace_kind).confirm(
                head.payload["chat"], head.payload["external_id"], head.payload["delivered"]
            )
        await self._mark_sent(deliveries)

    async def _mark_sent(self, deliveries: list[Delivery]) -> None:
        await Delivery.filter(id__in=[d.id for d in deliveries]).update(
            status="sent", done_at=self._clock.now(), claimed_until=None
        )

    async def _ensure_thread(self, thread: Thread) -> ThreadTarget:
        """Open the thread on first use, or again after it was deleted by hand; it starts
        with the header card of its latest conversation. The thread is stored the moment it
        exists and its card is a step of its own: a send that fails after the thread was
        opened is retried into that thread, never into a second one."""
        sender = self._workspace(thread.workspace_kind)
        view = await self._open_thread(thread, sender) if thread.external_id is None else None
        target = self._thread_target(thread)
        if thread.card_owed:
            view = view or await self._latest_view(thread)  # read once for a new thread
            card_id = await sender.post_card(target, await header_card(view))
            async with in_transaction():
                view.card_message_id = card_id
                await view.save(update_fields=["card_message_id"])
                thread.card_owed = False
                await thread.save(update_fields=["card_owed"])
        return target

    async def _open_thread(self, thread: Thread, sender: WorkspaceSender) -> Conversation:
        """Opens the thread and returns the conversation it was opened for, as viewed."""
        view = await self._latest_view(thread)
        title = thread_title(view)
        opened = await sender.open_thread(
            thread.workspace_chat, title, await header_card(view), self._operator_language
        )
        async with in_transaction():
            thread.external_id, thread.title = opened.thread_id, title
            thread.card_owed = opened.card_id is None
            await thread.save(update_fields=["external_id", "title", "card_owed"])
            if opened.card_id is not None:
                view.card_message_id = opened.card_id
                await view.save(update_fields=["card_message_id"])
        log.info("Opened %s thread %s (#%s)", thread.workspace_kind, opened.thread_id, thread.id)
        return view

    async def _latest_view(self, thread: Thread) -> Conversation:
        latest = await Conversation.filter(thread_id=thread.id).order_by("-id").first()
        assert latest is not None
        return await load_for_view(latest.id)

    def _thread_target(self, thread: Thread) -> ThreadTarget:
        return ThreadTarget(thread.workspace_chat, thread.external_id, self._operator_language)

    async def _to_thread(self, thread: Thread, deliveries: list[Delivery]) -> None:
        head = deliveries[0]
        sender = self._workspace(thread.workspace_kind)
        target = await self._ensure_thread(thread)
        chat_key = workspace_chat_key(thread.workspace_kind, thread.workspace_chat)
        if head.op == "relay":
            messages, external_ids = await self._relay(sender, target, deliveries, chat_key)
            await self._link(messages, chat_key, external_ids)
        elif head.op == "edit":
            await self._edit(sender, target, head, chat_key)
        elif head.op == "notice":
            await sender.notice(target, payload_text(head.payload))
        elif head.op == "card.show":
            await sender.show_card(target, payload_card(head.payload))
        elif head.op == "card.post":
            view = await load_for_view(head.conversation_id)  # type: ignore[attr-defined]
            if view.card_message_id is None:  # else it came with the thread
                view.card_message_id = await sender.post_card(target, await header_card(view))
                await view.save(update_fields=["card_message_id"])
        elif head.op == "state":
            await self._update_state(thread, target, sender, head)
        else:
            raise ValueError(f"unknown thread op {head.op!r}")

    async def _update_state(
        self, thread: Thread, target: ThreadTarget, sender: WorkspaceSender, head: Delivery
    ) -> None:
        """Title and card of `thread` as they should be now. A thread the conversation was
        transferred away from keeps its old card (named in the payload), without buttons."""
        view = await load_for_view(head.conversation_id)  # type: ignore[attr-defined]
        shown = view
        if view.thread_id == thread.id:  # type: ignore[attr-defined]
            latest = await Conversation.filter(thread_id=thread.id).order_by("-id").first()
            if latest is not None and latest.id != view.id:
                shown = await load_for_view(latest.id)
        title = thread_title(shown, thread.id)
        if title != thread.title:
            await sender.rename_thread(target, title)
            thread.title = title
            await thread.save(update_fields=["title"])
        card_id = head.payload.get("card_id") or view.card_message_id
        if card_id:
            await sender.update_card(target, card_id, await header_card(view, thread.id))

    async def _to_customer(self, identity: Identity, deliveries: list[Delivery]) -> None:
        head = deliveries[0]
        conversation = await Conversation.get(id=head.conversation_id).prefetch_related(  # type: ignore[attr-defined]
            "entry_point", "line"
        )
        sender = self._customer(identity.channel)
        language = pick_language(identity.language, self._customer_language())
        target = CustomerTarget(conversation.entry_point.key, identity.external_id, language)
        chat_key = customer_chat_key(conversation.entry_point.key, identity.external_id)
        if head.op == "relay":
            messages, external_ids = await self._relay(sender, target, deliveries, chat_key)
            async with in_transaction():
                await self._link(messages, chat_key, external_ids)
                await self._confirm_operator(conversation.line, messages, True)
                await self._mark_sent(deliveries)
            return
        if head.op == "edit":
            await self._edit(sender, target, head, chat_key)
        elif head.op == "delete":
            external_id = await counterpart(head.message_id, chat_key)  # type: ignore[attr-defined]
            if external_id:
                await sender.delete(target, external_id)
        elif head.op == "notice":
            await sender.notice(target, payload_text(head.payload))
        elif head.op == "ask":
            ask = getattr(sender, "ask", None)
            if ask is not None:
                await ask(target, payload_card(head.payload["card"]))
            else:
                await sender.notice(target, payload_text(head.payload["fallback"]))
        else:
            raise ValueError(f"unknown customer op {head.op!r}")

    async def _relay(
        self, sender: Any, target: Any, deliveries: list[Delivery], chat_key: str
    ) -> tuple[list[Message], list[str]]:
        messages = await self._messages(deliveries)
        outgoing = [await self._outgoing(m, chat_key) for m in messages]
        result = await sender.relay(target, outgoing)
        return messages, result.external_ids

    async def _edit(self, sender: Any, target: Any, head: Delivery, chat_key: str) -> None:
        """Edit the copy on this side; a message never delivered here has nothing to edit."""
        message = await Message.get(id=head.message_id)  # type: ignore[attr-defined]
        external_id = await counterpart(message.id, chat_key)
        if external_id:
            await sender.edit(target, external_id, await self._outgoing(message, chat_key))

    async def _confirm_operator(self, line: Line, messages: list[Message], delivered: bool) -> None:
        ws_key = workspace_chat_key(line.workspace_kind, line.workspace_chat)
        for message in messages:
            if message.direction != Direction.OUT:
                continue
            origin = (
                await MessageLink.filter(message_id=message.id, chat=ws_key).order_by("id").first()
            )
            if origin:
                await self._outbox.confirm(
                    line.id, line.workspace_chat, origin.external_id, delivered
                )

    async def _messages(self, deliveries: list[Delivery]) -> list[Message]:
        ids = [d.message_id for d in deliveries]  # type: ignore[attr-defined]
        by_id = {m.id: m for m in await Message.filter(id__in=ids)}
        return [by_id[i] for i in ids]

    async def _outgoing(self, message: Message, target_chat_key: str) -> Outgoing:
        origin = await MessageLink.filter(message_id=message.id).order_by("id").first()
        reply_to = (
            await counterpart(message.reply_to_id, target_chat_key) if message.reply_to_id else None
        )  # type: ignore[attr-defined]
        return Outgoing(
            message_id=message.id,
            kind=message.kind,
            text=message.text,
            content=message.content,
            source_chat_key=origin.chat if origin else None,
            source_external_id=origin.external_id if origin else None,
            reply_to_external_id=reply_to,
        )

    async def _link(self, messages: list[Message], chat_key: str, external_ids: list[str]) -> None:
        for message, external_id in zip(messages, external_ids, strict=False):
            await MessageLink.get_or_create(
                chat=chat_key, external_id=external_id, defaults={"message": message}
            )

    # -- failures ---------------------------------------------------------------------------

    async def thread_gone(self, deliveries: list[Delivery]) -> None:
        kind, ident = parse_target(deliveries[0].target)
        if kind == THREAD:
            log.warning("Thread %s was deleted by hand; opening it again", ident)
            await Thread.filter(id=ident).update(external_id=None)

    async def dead(self, deliveries: list[Delivery], error: BaseException) -> None:
        """Make a failure visible where the operators are; never loops on its own notices."""
        head = deliveries[0]
        kind, ident = parse_target(head.target)
        if head.op not in ("relay", "edit", "delete") or head.conversation_id is None:  # type: ignore[attr-defined]
            return
        conversation = await Conversation.get(id=head.conversation_id).prefetch_related(
            "line", "thread"
        )  # type: ignore[attr-defined]
        reason = getattr(error, "reason", None) or _("the messenger refused it")
        async with in_transaction():
            if kind == CUSTOMER:
                if isinstance(error, CustomerBlocked):
                    await Identity.filter(id=ident).update(blocked_at=self._clock.now())
                messages = await self._messages(deliveries) if head.op == "relay" else []
                await self._confirm_operator(conversation.line, messages, False)
                text = Text(_("Not delivered to the customer: {reason}."), reason=Text(reason))
            else:
                text = Text(
                    _("A customer message could not be shown here: {reason}."), reason=Text(reason)
                )
            await self._outbox.notice_thread(conversation.thread, conversation, text)
