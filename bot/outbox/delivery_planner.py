"""What a delivery needs before it is sent: its route, its sender, the budgets it spends
(its plan), and the customer's texts that join it. The worker plans a delivery right before
it claims it; the executor sends what was planned."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

from bot.base.connections import Connections
from bot.base.ports import Bucket, CustomerSender, WebhookPoster, WorkspaceSender
from bot.conversations.view import latest_view_in, latest_views_in
from bot.outbox import merging
from bot.outbox import message_copies as copies
from bot.outbox.delivery_plan import (
    POSTING,
    Helper,
    NoSender,
    Plan,
    Route,
    Unavailable,
    UnknownKind,
)
from bot.outbox.queue import TargetKind, parse_target
from bot.outbox.statements import (
    CONVERSATION_TO_CUSTOMER,
    DELIVERIES_TO_CUSTOMER,
    DELIVERY_TO_CUSTOMER,
    PENDING_OF_EACH,
)
from storage.models import Conversation, Delivery, DeliveryKind, Identity, Line, Message, Thread
from storage.prepared import filter_by_ids, get_by_id, padded

THREAD = f"{TargetKind.THREAD}:"
# A thread's header refreshes taken in one step, at most (the last supersedes those before).
HEADER_REFRESHES_TOGETHER = 100

# Webhook calls are sent by the API channel, at most so many a second per entry point.
WEBHOOK_COMPONENT = "api"
WEBHOOK_PER_SECOND = 20


class DeliveryPlanner:
    def __init__(
        self,
        connections: Connections,
        waiting_for: Callable[[str], bool],
        kinds: Mapping[TargetKind, Collection[DeliveryKind]],
    ) -> None:
        self._connections = connections
        self._waiting_for = waiting_for  # the health registry: is this component coming?
        self._kinds = kinds  # what each target can be sent (the executor's handlers)
        self._planners: dict[TargetKind, Callable[[Route, list[Delivery]], Awaitable[Plan]]] = {
            TargetKind.THREAD: self._plan_thread,
            TargetKind.CUSTOMER: self._plan_customer,
            TargetKind.LINE: self._plan_line,
            TargetKind.CONFIRM: self._plan_line,
            TargetKind.HEADER: self._plan_header,
            TargetKind.WEBHOOK: self._plan_webhook,
            TargetKind.RULE: self._plan_webhook,
        }
        self._ahead: dict[int, Delivery] = {}  # customer deliveries read ahead, by id
        self._threads_ahead: dict[int, Thread] = {}  # threads of thread deliveries, by id
        # Where the messages of relays into threads were first seen, by message id.
        self.origins_ahead: dict[int, copies.Origin] = {}
        # Header refreshes read ahead: each thread's pending ones with its latest
        # conversation as viewed, by target; then that view, by thread, once they are taken.
        self._headers_ahead: dict[str, tuple[list[Delivery], Conversation | None]] = {}
        self._views_taken: dict[int, Conversation | None] = {}
        # What waits in the threads whose relays open them with their card, by target.
        self._runs_ahead: dict[str, list[Delivery]] = {}

    async def read_ahead(self, heads: list[Delivery], headers: Sequence[Delivery] = ()) -> None:
        """Read what planning `heads` will read one by one, where one statement reads it for
        all of them: each customer delivery of one message with its message and conversation
        (`_conversation_to_customer`). The worker plans a step's heads one after another,
        each a round trip to the database otherwise; what is read here is kept until the
        next step's read. And the threads of the thread deliveries (`_plan_thread`) and the
        messages of the relays among them."""
        ids = [head.id for head in heads if _one_message_to_customer(head)]
        self._ahead = {}
        if len(ids) > 1:
            self._ahead = {row.id: row for row in await DELIVERIES_TO_CUSTOMER(padded(ids))}
        into_threads = [h for h in heads if h.target.startswith(THREAD)]
        threads = [parse_target(h.target)[1] for h in into_threads]
        self._threads_ahead = {}
        if len(threads) > 1:
            self._threads_ahead = {t.id: t for t in await filter_by_ids(Thread, padded(threads))}
        # A relay's message, kept on its delivery: sending it does not read it once more
        # (`message_copies.messages_of`).
        relays = [h for h in into_threads if h.op == DeliveryKind.RELAY and h.message_id]  # type: ignore[attr-defined]
        # And where each was first seen (`message_copies.relay`).
        self.origins_ahead = {}
        if len(relays) > 1:
            ids = [h.message_id for h in relays]  # type: ignore[attr-defined]
            messages = {m.id: m for m in await filter_by_ids(Message, padded(ids))}
            for head in relays:
                if head.message_id in messages:  # type: ignore[attr-defined]
                    head.message = messages[head.message_id]  # type: ignore[attr-defined]
            self.origins_ahead = await copies.origins_of(padded(ids))
        # And what waits behind them where they bring their thread's card (`widen`).
        owing = [
            head.target
            for head in relays
            if _may_owe_card(self._threads_ahead.get(parse_target(head.target)[1]))
        ]
        self._runs_ahead = await merging.queued_in(owing) if len(owing) > 1 else {}
        await self._read_headers_ahead(headers)

    async def _read_headers_ahead(self, heads: Sequence[Delivery]) -> None:
        """The pending refreshes of the threads' headers of `heads`, then the threads' latest
        conversations as viewed, in one statement each and in this order: a change committed
        after the view was read queued a refresh that was not read with them, and follows."""
        self._headers_ahead, self._views_taken = {}, {}
        if len(heads) < 2:
            return
        targets = [head.target for head in heads]
        limit = HEADER_REFRESHES_TOGETHER * len(targets)
        pending: dict[str, list[Delivery]] = {}
        for delivery in await PENDING_OF_EACH(padded(targets), limit):
            pending.setdefault(delivery.target, []).append(delivery)
        views = await latest_views_in([parse_target(target)[1] for target in pending])
        for target, group in pending.items():
            self._headers_ahead[target] = (group, views.get(parse_target(target)[1]))

    def header_group_ahead(self, target: str, limit: int) -> list[Delivery] | None:
        """The pending refreshes of header `target` read ahead (at most `limit`), if they
        were; its plan then shows the conversation read after them."""
        ahead = self._headers_ahead.pop(target, None)
        if ahead is None:
            return None
        group, view = ahead
        self._views_taken[parse_target(target)[1]] = view
        return group[:limit]

    def route(self, head: Delivery) -> Route:
        """The target and kind of a delivery; UnknownKind when this version cannot send it."""
        try:
            target, ident = parse_target(head.target)
            kind = DeliveryKind(head.op)
        except ValueError as error:
            raise UnknownKind(f"unknown delivery {head.op!r} to {head.target!r}") from error
        if kind not in self._kinds[target]:
            raise UnknownKind(f"no {kind} delivery goes to a {target}")
        return Route(target, ident, kind)

    async def plan(self, deliveries: list[Delivery]) -> Plan:
        route = self.route(deliveries[0])
        return await self._planners[route.target](route, deliveries)

    async def _plan_thread(
        self, route: Route, deliveries: list[Delivery], thread: Thread | None = None
    ) -> Plan:
        """`thread`: as the caller read it a moment ago (a widened group's first plan)."""
        if thread is None:
            thread = self._threads_ahead.pop(route.ident, None) or await get_by_id(
                Thread, route.ident
            )
        sender = self.workspace(thread.workspace_kind)
        slots = len(deliveries) if route.kind in POSTING else 0
        if route.kind is DeliveryKind.STATE:
            slots = 1  # a renamed topic leaves a service message in the group
        card = owes_card(thread, sender)
        if route.kind is DeliveryKind.RELAY and await self._together(card, deliveries):
            slots, card = 1, False  # one message, with the card when it is owed
        if card:
            slots += 1  # the card of a topic that was opened without it
        if thread.external_id is None:
            slots += 1  # the topic
        buckets = sender.buckets(thread.workspace_chat, slots > 0)
        plan = Plan(buckets, max(slots, 1), thread.workspace_kind, thread)
        if route.kind is DeliveryKind.RELAY and thread.external_id and not thread.card_owed:
            # Only relays into an open thread: the thread and its card are the sender's own.
            helpers = sender.helpers(thread.workspace_chat).items()
            plan.helpers = [Helper(n, h.buckets(thread.workspace_chat, True)) for n, h in helpers]
        return plan

    async def _together(self, card_owed: bool, deliveries: list[Delivery]) -> bool:
        if not card_owed and (len(deliveries) < 2 or deliveries[0].group_key):
            return False
        return merging.together(await copies.messages_of(deliveries), card_owed)

    async def widen(
        self, group: list[Delivery], plan: Plan, *, scarce: bool
    ) -> tuple[list[Delivery], Plan]:
        """A customer's texts queued behind `group`'s head join it as one message: into a
        thread that opens with them (its card on top), or when the group's budget is
        `scarce`. Anything else goes as it is."""
        head = group[0]
        thread = plan.subject
        if len(group) != 1 or head.op != DeliveryKind.RELAY or not isinstance(thread, Thread):
            return group, plan
        if not scarce and not owes_card(thread, self.workspace(thread.workspace_kind)):
            return group, plan
        run = await merging.queued_run(head, self._runs_ahead.pop(head.target, None))
        if len(run) < 2:
            return group, plan
        return run, await self._plan_thread(self.route(head), run, thread)

    async def _plan_header(self, route: Route, deliveries: list[Delivery]) -> Plan:
        """Its subject is the thread's latest conversation as its title and card show it,
        read with the thread in one statement (the thread alone before it has any). Read
        after the refreshes it sends: a change committed since queued one more, which
        follows."""
        if route.ident in self._views_taken:  # read after its refreshes (`read_ahead`)
            latest = self._views_taken.pop(route.ident)
        else:
            latest = await latest_view_in(route.ident)
        thread = latest.thread if latest is not None else await get_by_id(Thread, route.ident)
        if thread.external_id is None:  # nothing to send: it opens with its header as it is
            return Plan([], 1, thread.workspace_kind)
        sender = self.workspace(thread.workspace_kind)
        # A renamed topic leaves a service message in the group.
        buckets = sender.buckets(thread.workspace_chat, True)
        return Plan(buckets, 1, thread.workspace_kind, latest or thread)

    async def _plan_line(self, route: Route, deliveries: list[Delivery]) -> Plan:
        line = await get_by_id(Line, route.ident)
        sender = self.workspace(line.workspace_kind)
        posts = route.target is TargetKind.LINE
        buckets = sender.buckets(line.workspace_chat, posts)
        return Plan(buckets, len(deliveries), line.workspace_kind, line)

    async def _plan_customer(self, route: Route, deliveries: list[Delivery]) -> Plan:
        """Its subject is the conversation with its identity, read in one statement (the
        identity alone for a delivery whose conversation is gone)."""
        conversation = await _conversation_to_customer(deliveries, self._ahead)
        if conversation is not None and conversation.identity_id == route.ident:  # type: ignore[attr-defined]
            identity, subject = conversation.identity, conversation
        else:
            identity = subject = await get_by_id(Identity, route.ident)
        customer = self.customer(identity.channel)
        posts = route.kind in POSTING
        slots = len(deliveries) if posts else 1
        buckets = customer.buckets(identity.external_id, posts)
        return Plan(buckets, slots, identity.channel, subject)

    async def _plan_webhook(self, route: Route, deliveries: list[Delivery]) -> Plan:
        self.webhooks()
        bucket = Bucket(f"{route.target}:{route.ident}", WEBHOOK_PER_SECOND, 1.0)
        return Plan([bucket], 1, WEBHOOK_COMPONENT)

    def webhooks(self) -> WebhookPoster:
        poster = self._connections.webhooks
        if poster is None:
            if self._waiting_for(WEBHOOK_COMPONENT):
                raise Unavailable(WEBHOOK_COMPONENT)
            raise NoSender("the API channel, which sends webhooks, is not connected")
        return poster

    def waiting_for(self, component: str) -> bool:
        return self._waiting_for(component)

    def workspace(self, kind: str) -> WorkspaceSender:
        sender = self._connections.workspace(kind)
        if sender is None:
            if self._waiting_for(kind):
                raise Unavailable(kind)
            raise NoSender(f"no {kind} workspace is configured")
        return sender

    def customer(self, channel: str) -> CustomerSender:
        sender = self._connections.customers(channel)
        if sender is None:
            if self._waiting_for(channel):
                raise Unavailable(channel)
            raise NoSender(f"no {channel} customer channel is configured")
        return sender


async def _conversation_to_customer(
    deliveries: list[Delivery], ahead: dict[int, Delivery]
) -> Conversation | None:
    """The conversation of a customer delivery, with its entry point, line and identity. A
    single message's delivery is read again with both (or taken from `ahead`, when it was
    read with others), and its message is kept on it: the send does not read it once more
    (`message_copies.messages_of`)."""
    head = deliveries[0]
    if head.conversation_id is None:  # type: ignore[attr-defined]
        return None
    if len(deliveries) > 1 or head.message_id is None:  # type: ignore[attr-defined]
        return await CONVERSATION_TO_CUSTOMER(head.conversation_id)  # type: ignore[attr-defined]
    row = ahead.pop(head.id, None) or await DELIVERY_TO_CUSTOMER(head.id)
    if row is None:
        return None
    if row.message is not None:
        head.message = row.message
    return row.conversation


def _one_message_to_customer(head: Delivery) -> bool:
    return (
        head.target.startswith(f"{TargetKind.CUSTOMER}:")
        and head.message_id is not None  # type: ignore[attr-defined]
        and head.conversation_id is not None  # type: ignore[attr-defined]
        and not head.group_key
    )


def _may_owe_card(thread: Thread | None) -> bool:
    """Whether `thread`'s next message may bring its card (`owes_card`, told apart by the
    sender only for a thread still to open)."""
    return thread is not None and (thread.external_id is None or thread.card_owed)


def owes_card(thread: Thread, sender: WorkspaceSender) -> bool:
    """Whether the next message of `thread` comes after a card still to be posted."""
    if thread.external_id is None:
        return not sender.card_opens_thread
    return thread.card_owed
