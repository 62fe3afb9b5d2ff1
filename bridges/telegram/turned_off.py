"""Whether the settings leave Telegram off, decided before aiogram is imported (seconds of
the start): /healthz and the log say why, and the bridge is never loaded."""

from __future__ import annotations

import logging

from bot.base.i18n import Text, _
from bot.core import Core

log = logging.getLogger("bridges.telegram.runtime")

NO_LINE = _(
    "No line to route customers to: set RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID (or "
    "RELAYDESK_SLACK_CHANNEL_ID), or add a line in the admin panel."
)
NO_TOKEN = _(
    "RELAYDESK_TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token there."
)
NO_WEBHOOK_URL = _(
    "RELAYDESK_TELEGRAM_MODE=webhook needs RELAYDESK_TELEGRAM_WEBHOOK_URL "
    "(the public https address of /telegram/webhook)."
)


def turned_off(core: Core) -> bool:
    """True (told to `core.health` and logged) when Telegram cannot run with these settings."""
    settings = core.settings
    if not settings.telegram_token_value:
        core.health.off("telegram", Text(NO_TOKEN))
        log.warning("Telegram is off: set RELAYDESK_TELEGRAM_TOKEN to the token from @BotFather")
        return True
    if core.default_line is None:
        core.health.off("telegram", Text(NO_LINE))
        log.warning(
            "Telegram is off: no line to route customers to. Set "
            "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID to the id of the operators' forum supergroup "
            "(or RELAYDESK_SLACK_CHANNEL_ID); run `relaydesk check` for help"
        )
        return True
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_url:
        core.health.off("telegram", Text(NO_WEBHOOK_URL))
        log.error("Telegram is off: %s", core.translator.render("en", Text(NO_WEBHOOK_URL)))
        return True
    return False
