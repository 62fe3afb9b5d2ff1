"""Slack's answers -> the outbox's outcome classes."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from bot.base.i18n import _
from bot.base.ports import PermanentError, RetryAfter, TransientError
from bot.base.redact import Redactor

T = TypeVar("T")

PERMANENT = {
    "channel_not_found": _("the Slack channel does not exist or the app cannot see it"),
    "not_in_channel": _("the Slack app is not a member of the channel"),
    "is_archived": _("the Slack channel is archived"),
    "msg_too_long": _("the message is too long for Slack"),
    "invalid_blocks": _("Slack refused the message"),
    "cant_update_message": _("Slack refused the message"),
    "message_not_found": _("the Slack message was deleted"),
}
TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


async def call(request: Awaitable[T], bucket: str, redactor: Redactor) -> T:
    try:
        return await request
    except SlackApiError as error:
        response = error.response
        if response.status_code == 429:
            retry = float(
                response.headers.get("Retry-After", response.headers.get("retry-after", 1))
            )
            raise RetryAfter(retry, bucket) from error
        code = str(response.get("error", ""))
        if code in TRANSIENT or response.status_code >= 500:
            raise TransientError(code) from error
        raise PermanentError(PERMANENT.get(code, _("Slack refused the message")), code) from error
    except (ClientError, TimeoutError) as error:
        # aiohttp's errors may quote URLs and headers: only redacted words go on.
        raise TransientError(redactor.describe(error)) from None
