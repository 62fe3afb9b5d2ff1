"""Interfaces the core needs from bridges: senders for deliveries and membership checks.

A workspace (a Telegram forum or a Slack channel) and a customer channel are both just
senders here; the outbox worker decides when to call them and what to do with the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.base.cards import Card
from bot.base.i18n import Text


@dataclass(frozen=True)
class Bucket:
    """A rate budget shared by every send that names it: `rate` sends per `per` seconds."""

    key: str
    rate: float
    per: float


@dataclass(frozen=True)
class Outgoing:
    """A stored message on its way to the other side."""

    message_id: int
    kind: str
    text: str | None
    content: dict[str, Any]
    source_chat_key: str | None = None
    source_external_id: str | None = None
    reply_to_external_id: str | None = None
    sent_at: datetime | None = None  # when the customer wrote it: shown in a merged message


@dataclass(frozen=True)
class ThreadTarget:
    chat: str
    thread_id: str | None
    language: str


@dataclass(frozen=True)
class CustomerTarget:
    entry_point_key: str
    chat: str
    language: str


@dataclass(frozen=True)
class OpenedThread:
    """A new thread, and its header card when opening it posted the card too (in Slack the
    card is the thread's parent). `card_id` is None where the card is a message of its own
    (a Telegram topic): the core stores the thread first and posts the card next, so a
    failure in between never opens a second thread."""

    thread_id: str
    card_id: str | None


@dataclass
class SendResult:
    external_ids: list[str] = field(default_factory=list)
    card_id: str | None = None  # the message showing the card sent with them (`relay_together`)


@dataclass(frozen=True)
class FileData:
    name: str
    mime: str
    data: bytes


class FileSource(Protocol):
    """Reads the files of a message that came through one channel or workspace, so that
    another can upload them."""

    async def fetch(self, message: Outgoing) -> list[FileData]: ...


class DeliveryError(Exception):
    """Base of what a sender may raise; anything else counts as transient."""


class RetryAfter(DeliveryError):
    def __init__(self, seconds: float, bucket: str | None = None) -> None:
        super().__init__(f"rate limited for {seconds}s")
        self.seconds = seconds
        self.bucket = bucket


class TransientError(DeliveryError):
    """Network trouble or a 5xx: try again later."""


class ThreadGone(DeliveryError):
    """The thread was deleted by hand; the core opens a new one and sends again."""


class PermanentError(DeliveryError):
    """Sending will never work; `reason` is a message id said to operators."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


class CustomerBlocked(PermanentError):
    """The customer blocked the bot: nothing reaches them until they write again."""


class WorkspaceSender(Protocol):
    kind: str
    # The thread's card is the message that opens it (a Slack thread's parent), not a message
    # of its own after it (a Telegram topic's).
    card_opens_thread: bool

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        """The budgets a call into `chat` spends; `posts` is true when it adds a message."""
        ...

    def helpers(self, chat: str) -> Mapping[str, WorkspaceSender]:
        """Other accounts, by name, that may relay customers' messages into the open threads
        of `chat`, each on budgets of its own (Telegram's helper bots); empty where none."""
        ...

    async def open_thread(self, chat: str, title: str, card: Card, language: str) -> OpenedThread:
        """Open a thread titled `title` in one call. Where the thread starts with `card`
        (its parent) that call posts it; otherwise leave the card to `post_card`."""
        ...

    async def rename_thread(self, target: ThreadTarget, title: str) -> None: ...

    async def post_card(self, target: ThreadTarget, card: Card) -> str:
        """Show `card` as the thread's current header (a new conversation in an old thread)."""
        ...

    async def update_card(self, target: ThreadTarget, external_id: str, card: Card) -> None: ...

    async def show_card(self, target: ThreadTarget, card: Card) -> str:
        """Post `card` as a new message of the thread (a choice with buttons)."""
        ...

    def thread_link(self, chat: str, thread_id: str) -> str | None:
        """A link that opens the thread for a member of the workspace."""
        ...

    async def relay(self, target: ThreadTarget, messages: list[Outgoing]) -> SendResult: ...

    async def edit(self, target: ThreadTarget, external_id: str, message: Outgoing) -> None: ...

    async def relay_together(
        self, target: ThreadTarget, messages: list[Outgoing], card: Card | None
    ) -> SendResult:
        """Texts (and `card` above them) in as few messages as the workspace shows well, each
        text with its time: where a message costs a scarce budget (a Telegram group's 20 a
        minute), in one. `external_ids[i]` is the message showing `messages[i]`; several
        may share one, in order."""
        ...

    async def edit_together(
        self, target: ThreadTarget, external_id: str, messages: list[Outgoing], card: Card | None
    ) -> None:
        """Show `external_id`, sent by `relay_together`, with its texts and card as they are now."""
        ...

    async def notice(self, target: ThreadTarget, text: Text) -> str: ...

    async def confirm(self, chat: str, external_id: str, delivered: bool) -> None: ...


class CustomerSender(Protocol):
    channel: str

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        """The budgets a call into `chat` spends; `posts` is true when it adds a message."""
        ...

    async def relay(self, target: CustomerTarget, messages: list[Outgoing]) -> SendResult: ...

    async def edit(self, target: CustomerTarget, external_id: str, message: Outgoing) -> None: ...

    async def notice(self, target: CustomerTarget, text: Text) -> str: ...

    async def delete(self, target: CustomerTarget, external_id: str) -> None: ...

    async def ask(self, target: CustomerTarget, card: Card, fallback: Text) -> str:
        """A question with buttons (the CSAT rating); a channel without buttons sends
        `fallback` instead, the same question asking for a reply in words."""
        ...


class ShowsTyping(Protocol):
    async def typing(self, chat: str, thread_id: str) -> bool:
        """Show "typing…" in a thread for a few seconds; False (logged, never raised) when the
        workspace refused or could not be reached: a typing sign is not sent again."""
        ...


class MembershipChecker(Protocol):
    async def is_member(self, chat: str, user_external_id: str) -> bool: ...


@dataclass(frozen=True)
class WebhookCall:
    """One signed POST to a webhook: the body as it was signed, and its headers."""

    url: str
    body: bytes
    headers: Mapping[str, str]


class WebhookPoster(Protocol):
    async def post(self, call: WebhookCall) -> int:
        """POST `call`; a 2xx answer is success (its status is returned). Raises RetryAfter
        (429 with Retry-After), TransientError (network, timeout, 5xx) or PermanentError
        (another 4xx, a URL or an address the desk does not call)."""
        ...
