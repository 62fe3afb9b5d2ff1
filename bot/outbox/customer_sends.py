"""Deliveries to customers: what each kind does with the customer's sender, and the receipts
that show operators whether their answers went."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from tortoise.exceptions import DoesNotExist

from bot.base.cards import payload_card
from bot.base.i18n import pick_language
from bot.base.ports import CustomerSender, CustomerTarget
from bot.base.text_codec import payload_text
from bot.conversations.message_links import (
    arrived_as,
    counterpart,
    customer_chat_key,
    workspace_chat_key,
)
from bot.outbox import message_copies as copies
from bot.outbox.completions import Outcome
from bot.outbox.delivery_plan import Route
from bot.outbox.queue import Receipt
from bot.outbox.sends import CustomerSend
from bot.outbox.statements import CONVERSATION_TO_CUSTOMER, FIRST_LINK
from storage.models import (
    Conversation,
    Delivery,
    DeliveryKind,
    Direction,
    Identity,
    Line,
    Message,
)
from storage.prepared import get_by_id

CustomerOp = Callable[[CustomerSend], Awaitable[None]]


class CustomerSends:
    def __init__(
        self,
        *,
        sender_of: Callable[[str], CustomerSender],
        language: Callable[[], str],
        done: Callable[[Outcome], Awaitable[None]],
    ) -> None:
        """`sender_of(channel)`: the channel's sender; `language()`: the desk's customer
        language, read live (the admin panel changes it); `done`: stores a send's outcome."""
        self._sender_of = sender_of
        self._language = language
        self._done = done
        # What each kind of delivery to a customer does; a kind missing here is unknown.
        self._ops: dict[DeliveryKind, CustomerOp] = {
            DeliveryKind.RELAY: self._relay,
            DeliveryKind.EDIT: self._edit,
            DeliveryKind.DELETE: self._delete,
            DeliveryKind.NOTICE: self._notice,
            DeliveryKind.ASK: self._ask,
        }

    @property
    def kinds(self) -> Collection[DeliveryKind]:
        return self._ops.keys()

    async def send(self, route: Route, deliveries: list[Delivery], planned: Any) -> None:
        head = deliveries[0]
        if isinstance(planned, Conversation):  # read with its identity to plan the send
            conversation, identity = planned, planned.identity
        else:
            identity = planned if isinstance(planned, Identity) else None
            identity = identity or await get_by_id(Identity, route.ident)
            found = await CONVERSATION_TO_CUSTOMER(head.conversation_id)  # type: ignore[attr-defined]
            if found is None:
                raise DoesNotExist(f"the conversation of delivery {head.id} is gone")
            conversation = found
        sender = self._sender_of(identity.channel)
        language = pick_language(identity.language, self._language())
        target = CustomerTarget(conversation.entry_point.key, identity.external_id, language)
        chat_key = customer_chat_key(conversation.entry_point.key, identity.external_id)
        send = CustomerSend(conversation, sender, target, chat_key, deliveries)
        await self._ops[route.kind](send)

    async def _relay(self, send: CustomerSend) -> None:
        line = send.conversation.line
        messages, external_ids = await copies.relay(
            send.sender,
            send.target,
            send.deliveries,
            send.chat_key,
            arrived_in=workspace_chat_key(line.workspace_kind, line.workspace_chat),
        )
        receipts = await receipts_of(line, messages, True)
        sent = [d.id for d in send.deliveries]
        await self._done(Outcome(sent, [(send.chat_key, messages, external_ids)], receipts))

    async def _edit(self, send: CustomerSend) -> None:
        await copies.edit(send.sender, send.target, send.head, send.chat_key)

    async def _delete(self, send: CustomerSend) -> None:
        external_id = await counterpart(send.head.message_id, send.chat_key)  # type: ignore[attr-defined]
        if external_id:
            await send.sender.delete(send.target, external_id)

    async def _notice(self, send: CustomerSend) -> None:
        await send.sender.notice(send.target, payload_text(send.head.payload))

    async def _ask(self, send: CustomerSend) -> None:
        payload = send.head.payload
        await send.sender.ask(
            send.target, payload_card(payload["card"]), payload_text(payload["fallback"])
        )


async def receipts_of(line: Line, messages: list[Message], delivered: bool) -> list[Receipt]:
    """What shows the operators whether their answers among `messages` went."""
    ws_key = workspace_chat_key(line.workspace_kind, line.workspace_chat)
    receipts = []
    for message in messages:
        if message.direction != Direction.OUT:
            continue
        # An answer typed in the workspace: its id there is in its source key. Else its
        # first link there, if any (written through the desk, it has none).
        external_id = arrived_as(message, ws_key)
        if external_id is None:
            origin = await FIRST_LINK(message.id, ws_key)
            external_id = origin.external_id if origin else None
        if external_id is not None:
            receipts.append(Receipt(line.id, line.workspace_chat, external_id, delivered))
    return receipts
