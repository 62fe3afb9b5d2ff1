"""What a delivery row says it is (its `Route`), what sending it takes (its `Plan`), and why
one cannot be sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.base.ports import Bucket, DeliveryError, TransientError
from bot.outbox.queue import TargetKind
from storage.models import DeliveryKind

# Kinds that add a message to the chat, spending its message budget.
POSTING = frozenset(
    {
        DeliveryKind.RELAY,
        DeliveryKind.NOTICE,
        DeliveryKind.CARD_POST,
        DeliveryKind.CARD_SHOW,
        DeliveryKind.ASK,
    }
)
# Kinds that carry someone's message: when one is dead, the operators are told.
SHOWN_WHEN_DEAD = frozenset({DeliveryKind.RELAY, DeliveryKind.EDIT, DeliveryKind.DELETE})


@dataclass(frozen=True)
class Helper:
    """Another account that may send a plan instead (a helper bot), and its own budgets."""

    name: str
    buckets: list[Bucket]


@dataclass
class Plan:
    buckets: list[Bucket]
    slots: int
    component: str = ""  # the workspace kind or customer channel that sends it
    subject: Any = None  # the thread, identity or line as read to plan: the send reuses it
    helpers: list[Helper] = field(default_factory=list)  # who else may send it
    voice: str = ""  # the helper whose budget was taken for it; "" the sender's own


class NoSender(DeliveryError):
    """The workspace or channel of a delivery is not configured (any more)."""


class HelperGone(TransientError):
    """The helper chosen to send a delivery stopped serving its workspace meanwhile."""


class Unavailable(DeliveryError):
    """The workspace or channel is configured but not connected yet (or any more): the
    delivery waits for it without spending an attempt."""

    def __init__(self, component: str) -> None:
        super().__init__(f"{component} is not connected")
        self.component = component


class UnknownKind(DeliveryError):
    """A delivery this version cannot send (a newer one wrote it, or its target has no such
    kind): it is marked dead at once instead of retried."""


@dataclass(frozen=True)
class Route:
    """A delivery's target and kind, read from its row."""

    target: TargetKind
    ident: int  # the thread, identity or line the target names
    kind: DeliveryKind
