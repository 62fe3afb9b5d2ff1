"""What one send is made with: a thread's or a customer's delivery with its sender, its
target, the key of its chat for the message links, and the deliveries that go together."""

from __future__ import annotations

from dataclasses import dataclass

from bot.base.ports import CustomerSender, CustomerTarget, ThreadTarget, WorkspaceSender
from bot.outbox.thread_opening import Opened
from storage.models import Conversation, Delivery, Thread


@dataclass(frozen=True)
class ThreadSend:
    """What a delivery into a conversation's thread is sent with."""

    thread: Thread
    sender: WorkspaceSender
    target: ThreadTarget
    chat_key: str
    deliveries: list[Delivery]
    # The owed card as rendered when this send opened the thread (not read again).
    opened: Opened | None = None

    @property
    def head(self) -> Delivery:
        return self.deliveries[0]


@dataclass(frozen=True)
class CustomerSend:
    """What a delivery to a customer is sent with."""

    conversation: Conversation
    sender: CustomerSender
    target: CustomerTarget
    chat_key: str
    deliveries: list[Delivery]

    @property
    def head(self) -> Delivery:
        return self.deliveries[0]
