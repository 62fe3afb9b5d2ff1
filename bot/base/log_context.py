"""Which conversation and delivery a log line is about, without passing them to every call.

The outbox worker sets them while it sends a delivery, the inbox and the workspace flow
while they handle a message; `ContextFilter` on the log handler copies them onto each
record, where a JSON log shows them. A call may also name them itself with
`extra={"conversation_id": …, "delivery_id": …}`, which wins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("conversation_id", "delivery_id")

_conversation: ContextVar[int | None] = ContextVar("relaydesk_conversation_id", default=None)
_delivery: ContextVar[int | None] = ContextVar("relaydesk_delivery_id", default=None)


@contextmanager
def about(*, conversation_id: int | None = None, delivery_id: int | None = None) -> Iterator[None]:
    """Log lines inside are about these; on leaving, what was set before is back (also what
    `conversation_is` set inside)."""
    tokens = (_conversation.set(conversation_id), _delivery.set(delivery_id))
    try:
        yield
    finally:
        _delivery.reset(tokens[1])
        _conversation.reset(tokens[0])


def conversation_is(conversation_id: int | None) -> None:
    """Inside an `about` block: the conversation became known (a message found its own)."""
    _conversation.set(conversation_id)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        values = (_conversation.get(), _delivery.get())
        for name, value in zip(FIELDS, values, strict=True):
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True
