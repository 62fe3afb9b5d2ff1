"""Why the Bot API could not be used, in the words `relaydesk check`, the log and `/healthz`
share: a network error, a refused token, trouble on Telegram's side, or an answer that is
not the Bot API's at all (a proxy's page)."""

from __future__ import annotations

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.base.health import Outage
from bot.base.i18n import Text, _
from bot.base.redact import Redactor
from bot.base.settings import Settings

REFUSED = _(
    "Telegram refused the token in RELAYDESK_TELEGRAM_TOKEN ({error}): the network is fine, "
    "the token is not. Copy it again from @BotFather (/mybots → API Token)."
)
UNREACHABLE = _(
    "Could not reach the Bot API at {url}: {error}. "
    "Check RELAYDESK_TELEGRAM_API_URL and the network (DNS, firewall, proxy)."
)
TROUBLE = _(
    "The Bot API at {url} answered with an error ({error}): the trouble is on its side, "
    "not in your settings."
)
NOT_TELEGRAM = _(
    "The answer from {url} is not the Bot API's ({error}): check RELAYDESK_TELEGRAM_API_URL; "
    "a proxy or a wrong address answers with its own page."
)
SNIPPET = 80


def outage(error: BaseException, settings: Settings, redactor: Redactor) -> Outage | None:
    """None for an error that is not about reaching Telegram (a bug, the database)."""
    url = settings.telegram_api_url
    if isinstance(error, ClientDecodeError):
        page = " ".join(str(error.data).split())[:SNIPPET]
        detail = f"not JSON: {page!r}"
        return Outage(
            "bad_answer", Text(NOT_TELEGRAM, url=url, error=scrub(detail, settings, redactor))
        )
    if isinstance(error, TelegramNetworkError):
        detail = error.message.removeprefix("HTTP Client says - ") or "no answer"
        return Outage(
            "network", Text(UNREACHABLE, url=url, error=scrub(detail, settings, redactor))
        )
    if isinstance(error, TelegramServerError | TelegramRetryAfter | TelegramConflictError):
        return Outage(
            "server", Text(TROUBLE, url=url, error=scrub(error.message, settings, redactor))
        )
    if isinstance(error, TelegramAPIError):  # 401, 404 (a malformed token), 403, 400
        return Outage("refused", Text(REFUSED, error=scrub(error.message, settings, redactor)))
    if isinstance(error, TimeoutError):
        return Outage("network", Text(UNREACHABLE, url=url, error="no answer in time"))
    if isinstance(error, OSError):
        detail = str(error) or type(error).__name__
        return Outage(
            "network", Text(UNREACHABLE, url=url, error=scrub(detail, settings, redactor))
        )
    return None


def scrub(text: str, settings: Settings, redactor: Redactor) -> str:
    """The token is part of every Bot API URL, and URLs turn up in error messages."""
    token = settings.telegram_token_value
    return redactor.redact(text.replace(token, "<token>") if token else text)
