"""Turning delivery rows into sender calls, and their outcomes into stored facts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tortoise.transactions import in_transaction

from bot.api.webhook_calls import call_for
from bot.base.cards import payload_card
from bot.base.clock import Clock
from bot.base.connections import Connections
from bot.base.i18n import Text, _
from bot.base.metrics import Metrics
from bot.base.ports import (
    CustomerBlocked,
    PermanentError,
    ThreadTarget,
)
from bot.base.text_codec import payload_text
from bot.conversations.message_links import (
    copy_of,
    plain_id,
    workspace_chat_key,
)
from bot.conversations.view import header_card, load_for_view
from bot.outbox import merging
from bot.outbox import message_copies as copies
from bot.outbox.completions import Completions, Outcome
from bot.outbox.customer_sends import CustomerSends, receipts_of
from bot.outbox.delivery_plan import (
    SHOWN_WHEN_DEAD,
    HelperGone,
    Plan,
    Route,
    UnknownKind,
)
from bot.outbox.delivery_planner import DeliveryPlanner
from bot.outbox.queue import Outbox, TargetKind, parse_target
from bot.outbox.sends import ThreadSend
from bot.outbox.thread_header import ThreadHeaders
from bot.outbox.thread_opening import PostedCard, ThreadOpener
from bot.rules import webhook_action
from storage.models import (
    Conversation,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Identity,
    Line,
    Thread,
)
from storage.prepared import get_by_id

log = logging.getLogger(__name__)


ThreadOp = Callable[[ThreadSend], Awaitable[None]]
LineOp = Callable[[Line, Delivery], Awaitable[None]]  # into a line's chat, outside threads


class DeliveryExecutor:
    def __init__(
        self,
        *,
        connections: Connections,
        outbox: Outbox,
        clock: Clock,
        operator_language: str,
        metrics: Metrics,
        customer_language: Callable[[], str] = lambda: "en",
        waiting_for: Callable[[str], bool] = lambda _: False,
    ) -> None:
        self._outbox = outbox
        self._completions = Completions(outbox, clock)
        self._metrics = metrics
        self._clock = clock
        self._operator_language = operator_language
        self._headers = ThreadHeaders()
        self._threads = ThreadOpener(self._headers, operator_language)
        # What each kind of delivery does, per target; a kind missing here is unknown there.
        self._thread_ops: dict[DeliveryKind, ThreadOp] = {
            DeliveryKind.RELAY: self._relay_to_thread,
            DeliveryKind.EDIT: self._edit_in_thread,
            DeliveryKind.NOTICE: self._notice_in_thread,
            DeliveryKind.CARD_SHOW: self._show_card_in_thread,
            DeliveryKind.CARD_POST: self._post_header_card,
            DeliveryKind.STATE: self._refresh_thread,  # rows queued before header queues
        }
        self._customers = CustomerSends(
            sender_of=lambda channel: self.planner.customer(channel),
            language=customer_language,
            done=self._done,
        )
        self._line_ops: dict[TargetKind, dict[DeliveryKind, LineOp]] = {
            TargetKind.LINE: {
                DeliveryKind.NOTICE: self._notice_in_line,
                DeliveryKind.CARD_SHOW: self._show_card_in_line,
            },
            TargetKind.CONFIRM: {DeliveryKind.CONFIRM: self._confirm_in_line},
        }
        self.planner = DeliveryPlanner(
            connections,
            waiting_for,
            {
                TargetKind.THREAD: self._thread_ops.keys(),
                TargetKind.CUSTOMER: self._customers.kinds,
                TargetKind.HEADER: (DeliveryKind.STATE,),
                TargetKind.WEBHOOK: (DeliveryKind.WEBHOOK,),
                TargetKind.RULE: (DeliveryKind.WEBHOOK,),
                **{target: ops.keys() for target, ops in self._line_ops.items()},
            },
        )
        self._sends: dict[TargetKind, Callable[[Route, list[Delivery], Any], Awaitable[None]]] = {
            TargetKind.THREAD: self._to_thread,
            TargetKind.CUSTOMER: self._customers.send,
            TargetKind.LINE: self._to_line,
            TargetKind.CONFIRM: self._to_line,
            TargetKind.HEADER: self._to_header,
            TargetKind.WEBHOOK: self._to_webhook,
            TargetKind.RULE: self._to_rule_webhook,
        }

    # -- planning (by the planner) ---------------------------------------------------------

    async def plan(self, deliveries: list[Delivery]) -> Plan:
        return await self.planner.plan(deliveries)

    async def read_ahead(self, heads: list[Delivery], headers: Sequence[Delivery] = ()) -> None:
        await self.planner.read_ahead(heads, headers)

    async def widen(
        self, group: list[Delivery], plan: Plan, *, scarce: bool
    ) -> tuple[list[Delivery], Plan]:
        return await self.planner.widen(group, plan, scarce=scarce)

    def waiting_for(self, component: str) -> bool:
        return self.planner.waiting_for(component)

    # -- execution --------------------------------------------------------------------------

    async def execute(self, deliveries: list[Delivery], plan: Plan | None = None) -> None:
        """Send; raise a DeliveryError (or anything, counted as transient) when it did not go.
        `plan` is the one `plan` made for these deliveries just before, whose rows it reuses."""
        route = self.planner.route(deliveries[0])
        if plan is not None and plan.voice:  # a helper's budget was taken: it sends
            await self._to_thread(route, deliveries, plan.subject, plan.voice)
        else:
            await self._sends[route.target](route, deliveries, plan.subject if plan else None)
        if route.kind is not DeliveryKind.RELAY:  # a relay is marked with its links
            await self._done(Outcome([d.id for d in deliveries]))

    async def _to_header(self, route: Route, deliveries: list[Delivery], planned: Any) -> None:
        """`planned`: the thread's latest conversation as viewed, with its thread, or the
        thread alone (`DeliveryPlanner._plan_header`)."""
        latest = planned if isinstance(planned, Conversation) else None
        thread = latest.thread if latest is not None else planned
        if not isinstance(thread, Thread) or thread.external_id is None:
            thread = await get_by_id(Thread, route.ident)  # as it is now: it may have opened
            latest = None
        if thread.external_id is None and not self._headers.must_wait(thread):
            return  # it opens with its header as it is then
        sender = self.planner.workspace(thread.workspace_kind)
        target = self._threads.target(thread)
        await self._headers.refresh(thread, target, sender, deliveries, latest)

    async def _to_webhook(self, route: Route, deliveries: list[Delivery], _: Any) -> None:
        """A conversation event; nothing to send when the webhook was removed meanwhile."""
        call = await call_for(route.ident, deliveries[0].payload["event"], self._clock.now())
        if call is not None:
            await self.planner.webhooks().post(call)

    async def _to_rule_webhook(self, route: Route, deliveries: list[Delivery], _: Any) -> None:
        """A rule's webhook call; nothing to send when the rule or that webhook is gone."""
        head = deliveries[0]
        call = await webhook_action.call_for(route.ident, head.payload, self._clock.now())
        if call is None:
            log.info("Rule %s no longer has the webhook of delivery %s", route.ident, head.id)
            return
        await self.planner.webhooks().post(call)

    async def _to_line(self, route: Route, deliveries: list[Delivery], planned: Any) -> None:
        line = planned if isinstance(planned, Line) else await get_by_id(Line, route.ident)
        op = self._line_ops[route.target][route.kind]
        if len(deliveries) == 1:
            await op(line, deliveries[0])
            return
        # Receipts go several at a time: one Telegram refuses (its message was deleted) is
        # dead alone, and the others still go.
        for delivery in deliveries:
            try:
                await op(line, delivery)
            except PermanentError as error:
                log.warning("Receipt %s is dead: %s", delivery.id, error)
                self._metrics.dead(route.target.value)
                await Delivery.filter(id=delivery.id).update(
                    status=DeliveryStatus.DEAD,
                    claimed_until=None,
                    last_error=str(error)[:1000],
                    done_at=self._clock.now(),
                )

    def _line_target(self, line: Line) -> ThreadTarget:
        return ThreadTarget(line.workspace_chat, None, self._operator_language)

    async def _notice_in_line(self, line: Line, head: Delivery) -> None:
        sender = self.planner.workspace(line.workspace_kind)
        await sender.notice(self._line_target(line), payload_text(head.payload))

    async def _show_card_in_line(self, line: Line, head: Delivery) -> None:
        sender = self.planner.workspace(line.workspace_kind)
        await sender.show_card(self._line_target(line), payload_card(head.payload))

    async def _confirm_in_line(self, line: Line, head: Delivery) -> None:
        await self.planner.workspace(line.workspace_kind).confirm(
            head.payload["chat"], head.payload["external_id"], head.payload["delivered"]
        )

    async def _done(self, outcome: Outcome) -> None:
        """Store what the send left (those of its deliveries still pending, not one found
        dead on the way, went), together with other sends' (`Completions`)."""
        await self._completions.store(outcome)

    async def _to_thread(
        self, route: Route, deliveries: list[Delivery], planned: Any, voice: str = ""
    ) -> None:
        thread = planned if isinstance(planned, Thread) else await get_by_id(Thread, route.ident)
        sender = self.planner.workspace(thread.workspace_kind)
        # A relay may carry the card of a new thread itself (`_relay_to_thread`).
        relay = route.kind is DeliveryKind.RELAY
        target, opened = await self._threads.ensure(thread, sender, card_follows=relay)
        chat_key = workspace_chat_key(thread.workspace_kind, thread.workspace_chat)
        if voice:
            helper = sender.helpers(thread.workspace_chat).get(voice)
            if helper is None:  # gone since it was planned: it is planned again
                raise HelperGone(f"helper {voice} no longer serves this workspace")
            sender = helper
        send = ThreadSend(thread, sender, target, chat_key, deliveries, opened)
        await self._thread_ops[route.kind](send)

    async def _relay_to_thread(self, send: ThreadSend) -> None:
        thread = send.thread
        messages = await copies.messages_of(send.deliveries)
        if not merging.together(messages, thread.card_owed):
            if thread.card_owed:
                await self._threads.post_owed_card(thread, send.sender, send.target, send.opened)
            _, external_ids = await copies.relay(
                send.sender,
                send.target,
                send.deliveries,
                send.chat_key,
                messages,
                origins_read=self.planner.origins_ahead,
            )
            sent = [d.id for d in send.deliveries]
            await self._done(Outcome(sent, [(send.chat_key, messages, external_ids)]))
            return
        owed = (send.opened or await self._threads.owed_card(thread)) if thread.card_owed else None
        parts = [merging.part(m) for m in messages]
        result = await send.sender.relay_together(send.target, parts, owed[1] if owed else None)
        cards = []
        if owed is not None and result.card_id is not None:
            cards = [PostedCard(thread, owed[0], result.card_id)]
        # The texts, their links and the card: all or nothing.
        sent = [d.id for d in send.deliveries]
        copied = [(send.chat_key, messages, result.external_ids)]
        await self._done(Outcome(sent, copied, cards=cards))
        if owed is not None and result.card_id is not None:
            self._headers.shown(thread, result.card_id, owed[1])

    async def _edit_in_thread(self, send: ThreadSend) -> None:
        copy = await copy_of(send.head.message_id, send.chat_key)  # type: ignore[attr-defined]
        if copy is None:
            return  # never delivered here: nothing to edit
        external_id = plain_id(copy)
        merged = await merging.merged_message(send.thread, send.chat_key, external_id)
        if merged is None:
            await copies.edit(send.sender, send.target, send.head, send.chat_key)
            return
        await send.sender.edit_together(send.target, external_id, merged.parts, merged.card)

    async def _notice_in_thread(self, send: ThreadSend) -> None:
        await send.sender.notice(send.target, payload_text(send.head.payload))

    async def _show_card_in_thread(self, send: ThreadSend) -> None:
        await send.sender.show_card(send.target, payload_card(send.head.payload))

    async def _post_header_card(self, send: ThreadSend) -> None:
        view = await load_for_view(send.head.conversation_id)  # type: ignore[attr-defined]
        if view.card_message_id is None:  # else it came with the thread
            card = header_card(view)
            view.card_message_id = await send.sender.post_card(send.target, card)
            await view.save(update_fields=["card_message_id"])
            self._headers.shown(send.thread, view.card_message_id, card)

    async def _refresh_thread(self, send: ThreadSend) -> None:
        await self._headers.update(send.thread, send.target, send.sender, send.head)

    # -- failures ---------------------------------------------------------------------------

    async def thread_gone(self, deliveries: list[Delivery]) -> None:
        kind, ident = parse_target(deliveries[0].target)
        if kind in (TargetKind.THREAD, TargetKind.HEADER):
            log.warning("Thread %s was deleted by hand; opening it again", ident)
            await Thread.filter(id=ident).update(external_id=None)

    async def dead(self, deliveries: list[Delivery], error: BaseException) -> None:
        """Make a failure visible where the operators are; never loops on its own notices."""
        head = deliveries[0]
        if isinstance(error, UnknownKind) or head.op not in SHOWN_WHEN_DEAD:
            return
        if head.conversation_id is None:  # type: ignore[attr-defined]
            return
        kind, ident = parse_target(head.target)
        conversation = await Conversation.get(id=head.conversation_id).prefetch_related(
            "line", "thread"
        )  # type: ignore[attr-defined]
        reason = getattr(error, "reason", None) or _("the messenger refused it")
        async with in_transaction():
            if kind is TargetKind.CUSTOMER:
                if isinstance(error, CustomerBlocked):
                    await Identity.filter(id=ident).update(blocked_at=self._clock.now())
                messages = (
                    await copies.messages_of(deliveries) if head.op == DeliveryKind.RELAY else []
                )
                for receipt in await receipts_of(conversation.line, messages, False):
                    await self._outbox.confirm(*receipt)
                text = Text(_("Not delivered to the customer: {reason}."), reason=Text(reason))
            else:
                text = Text(
                    _("A customer message could not be shown here: {reason}."), reason=Text(reason)
                )
            await self._outbox.notice_thread(conversation.thread, conversation, text)
