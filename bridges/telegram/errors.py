"""Telegram's answers -> the outbox's outcome classes."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.base.i18n import _
from bot.base.ports import CustomerBlocked, PermanentError, RetryAfter, ThreadGone, TransientError
from bot.base.redact import Redactor

T = TypeVar("T")

THREAD_GONE = ("message thread not found", "topic_deleted", "topic_id_invalid")
NOT_MODIFIED = ("message is not modified", "topic_not_modified")
TOPIC_CLOSED = "topic_closed"


class NotAllowed(PermanentError):
    """The bot may not write to the chat: not in it (any more), or not an admin there."""


class NotTheAuthor(PermanentError):
    """Telegram lets only the bot that posted a message edit it: another bot wrote this one."""


class PhotoRefused(PermanentError):
    """Telegram does not take this image as a photo (over 10 MB, too long or too wide, or
    unreadable to it): it may still go as a document."""


# Telegram's words for an image it will not take as a photo.
PHOTO_REFUSALS = ("photo_invalid_dimensions", "photo_save_file_invalid", "image_process_failed")


class TopicClosed(Exception):
    """The topic was closed by hand; the sender reopens it and tries again."""


def is_not_modified(error: TelegramBadRequest) -> bool:
    return any(s in error.message.lower() for s in NOT_MODIFIED)


async def call(request: Awaitable[T], bucket: str | None, redactor: Redactor) -> T | None:
    """Await a Bot API call, translating its failure for the worker. "Not modified" is
    success: the other side already shows what we wanted. Texts are redacted: aiogram's
    network errors can quote the request URL, which carries the bot token."""
    try:
        return await request
    except TelegramRetryAfter as error:
        raise RetryAfter(float(error.retry_after), bucket) from error
    except TelegramForbiddenError as error:
        text = error.message.lower()
        if "blocked" in text:
            raise CustomerBlocked(
                _("the customer has blocked the bot"), redactor.redact(error.message)
            ) from error
        if "deactivated" in text:
            raise PermanentError(
                _("the customer's account is deleted"), redactor.redact(error.message)
            ) from error
        raise NotAllowed(
            _("the bot may not write to this chat"), redactor.redact(error.message)
        ) from error
    except TelegramBadRequest as error:
        text = error.message.lower()
        if is_not_modified(error):
            return None
        if any(s in text for s in THREAD_GONE):
            raise ThreadGone(redactor.redact(error.message)) from error
        if TOPIC_CLOSED in text:
            raise TopicClosed(redactor.redact(error.message)) from error
        if "message can't be edited" in text:
            raise NotTheAuthor(
                _("Telegram refused the message"), redactor.redact(error.message)
            ) from error
        if "chat not found" in text:
            raise NotAllowed(
                _("the chat does not exist or the bot is not in it"), redactor.redact(error.message)
            ) from error
        if "can't be copied" in text or "message to copy not found" in text:
            raise PermanentError(
                _("this kind of message cannot be forwarded"), redactor.redact(error.message)
            ) from error
        if any(s in text for s in PHOTO_REFUSALS):
            raise PhotoRefused(
                _("Telegram refused the message"), redactor.redact(error.message)
            ) from error
        if "not enough rights" in text:
            raise NotAllowed(
                _("the bot lacks admin rights in the group"), redactor.redact(error.message)
            ) from error
        refused = _("Telegram refused the message")
        raise PermanentError(refused, redactor.redact(error.message)) from error
    except (TelegramServerError, TelegramNetworkError) as error:
        raise TransientError(redactor.redact(str(error))) from None
