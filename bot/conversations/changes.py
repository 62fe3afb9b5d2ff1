"""What the desk tells its watchers (the rules, the API's webhooks, the web chat's read
marks) when a conversation changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage.models import Conversation, Operator


@dataclass(frozen=True)
class Change:
    """A conversation changed (`event`: status, assignee, line, topic, ...), or an operator
    wrote in it; `actor` did it, or the customer when `customer` is set."""

    conversation: Conversation
    event: str
    actor: Operator | None = None
    customer: bool = False
    text: str = ""


# Told of every change, inside the change's transaction: the rules for changed
# conversations, the API's webhook events.
ChangeWatcher = Callable[[Change], Awaitable[None]]
