"""Keeping secrets out of words: log lines, errors stored with deliveries, notices.

A messenger's error can quote the URL it failed on, and Telegram puts the bot token in
every API and file URL. Everything that turns an outside error into text passes it
through the desk's `Redactor`, made once at start-up (`Core.redactor`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.base.settings import Settings

MASK = "***"
# Shorter "secrets" would mask ordinary words; no real token or secret is this short.
MIN_SECRET = 6
# Token shapes, masked even when not configured here (a token of another bot in a URL).
SHAPES = (
    re.compile(r"(?<=bot)\d{3,}:[A-Za-z0-9_-]{20,}"),  # Telegram, in /bot<token>/ URLs
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{6,}"),  # Slack bot / user tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"),  # Slack app-level tokens (Socket Mode)
)


class Redactor:
    """The secrets of this desk, made at start-up from its settings and handed to whatever
    turns an outside error into words (a bridge's error mapping, a file fetcher, the outbox
    worker). It only grows (`remember` a secret derived later, such as the webhook's):
    masking one secret too many is harmless."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self.remember(secrets)

    @classmethod
    def of_settings(cls, settings: Settings) -> Redactor:
        """Every secret the settings hold: the bot tokens (helper bots' too), Slack's tokens
        and signing secret, the webhook secret, the metrics token, and the passwords in the
        database and Redis URLs."""
        return cls(
            [
                settings.telegram_token_value,
                *settings.telegram_helper_token_values,
                settings.webhook_secret_value,
                settings.secret(settings.slack_bot_token),
                settings.secret(settings.slack_app_token),
                settings.secret(settings.slack_signing_secret),
                settings.secret(settings.metrics_token),
                _password(settings.database_url),
                _password(settings.redis_url),
            ]
        )

    def remember(self, secrets: Iterable[str | None]) -> None:
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        for shape in SHAPES:
            text = shape.sub(MASK, text)
        return text

    def describe(self, error: BaseException) -> str:
        """`Type: message` of an error, safe to log or store."""
        return self.redact(f"{type(error).__name__}: {error}")


def _password(url: str | None) -> str | None:
    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None
