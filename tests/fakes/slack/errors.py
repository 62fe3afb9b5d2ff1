"""Web API error answers, shaped like Slack's: HTTP 200 with ``{"ok": false, "error": ...}``
(429 with ``Retry-After`` for rate limits)."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """An error answer. ``extra`` fields are merged into the body (``needed``,
    ``provided``, ``response_metadata``...)."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after
        self.extra = extra or {}

    def payload(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        return {"Retry-After": str(self.retry_after)}


def invalid_arguments(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", extra={"response_metadata": {"messages": [*messages]}})


def missing_argument(name: str) -> SlackError:
    return invalid_arguments(f"[ERROR] missing required field: {name}")


def ratelimited(retry_after: int) -> SlackError:
    return SlackError("ratelimited", status=429, retry_after=max(1, retry_after))
