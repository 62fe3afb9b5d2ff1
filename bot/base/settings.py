"""Settings from the environment or `.env`, all with the RELAYDESK_ prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_SLACK_API_URL = "https://slack.com"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RELAYDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite://relaydesk.db"
    auto_migrate: bool = True
    redis_url: str | None = None

    http_host: str = "127.0.0.1"
    http_port: int = 8080

    telegram_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    telegram_operator_chat_id: int | None = None
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Tokens of helper bots, comma-separated: admins of the lines' groups that post customers'
    # messages into topics on budgets of their own (README, "Helper bots").
    telegram_helper_tokens: SecretStr | None = None

    # Telegram's published ceilings; lower them if your bot still meets 429s.
    telegram_group_per_minute: int = Field(default=20, ge=1)
    telegram_chat_per_second: float = Field(default=1.0, gt=0)
    telegram_global_per_second: int = Field(default=30, ge=1)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_channel_id: str | None = None
    slack_auto_register: bool = True
    slack_reply_mode: Literal["all", "marked"] = "all"

    # Session cookies of the admin panel: None sends them Secure on https (also behind a
    # proxy that says X-Forwarded-Proto: https); true or false forces it.
    admin_secure_cookies: bool | None = None

    # The first values of what an admin may change in the panel while the desk runs.
    note_prefix: str = "//"
    # Replying in an unassigned conversation makes the replier its assignee.
    assign_on_reply: bool = True
    # Free operators with no activity for this long become "away" (0: never).
    away_after_minutes: int = Field(default=30, ge=0)
    # Where "tomorrow 10:00" and business hours are read, unless a line names its own.
    timezone: str = "UTC"
    # How often snoozes, auto-close, auto-away and the queue are looked at.
    scheduler_seconds: float = Field(default=30.0, gt=0)
    operator_language: str = "en"
    default_language: str = "en"
    # How soon a setting changed in the panel applies on the other instances (see README).
    settings_refresh_seconds: float = Field(default=2.0, gt=0)
    # Suggested answers: how often their index and the lines that show them are read again.
    suggestions_refresh_seconds: float = Field(default=60.0, gt=0)
    album_wait_seconds: float = Field(default=1.0, ge=0)
    # How long a new conversation's first message waits for those typed right after it, so
    # that they open its thread together with the client card, in one message.
    first_message_wait_seconds: float = Field(default=0.5, ge=0)
    max_attempts: int = Field(default=8, ge=1)
    # An unreachable Telegram or Slack is tried again after this pause, doubling up to the cap.
    reconnect_first_seconds: float = Field(default=1.0, gt=0)
    reconnect_max_seconds: float = Field(default=60.0, gt=0)
    # The REST API channel: the largest request body, and its webhooks' calls.
    api_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Webhooks to private and loopback addresses (refused by default: see bot/base/addresses).
    webhook_allow_private: bool = False
    # The web chat widget: visitor tokens are signed with each entry point's own secret, and
    # with this one too when set (changing it signs every visitor out); messages a minute
    # per visitor and per address; how long a long poll waits for news.
    webchat_secret: SecretStr | None = None
    webchat_visitor_per_minute: int = Field(default=20, ge=1)
    webchat_address_per_minute: int = Field(default=60, ge=1)
    webchat_poll_seconds: float = Field(default=25.0, gt=0, le=60)
    # Files of the web chat and the API (README "Files"): the largest a visitor may send,
    # the largest the API takes (by upload or by URL), how long a download link works, how
    # long the bytes are kept, and the desk's public address for links in webhooks.
    webchat_max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    api_max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    file_link_hours: float = Field(default=24.0, gt=0)
    files_retention_days: int = Field(default=90, ge=0)
    public_url: str | None = None
    log_level: str = "INFO"
    # "json": one JSON object a line (time, level, logger, message, conversation and delivery).
    log_format: Literal["text", "json"] = "text"
    # A bearer token /metrics asks for; without it /metrics answers loopback callers only.
    metrics_token: SecretStr | None = None

    @field_validator("telegram_api_url", "slack_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("operator_language", "default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        from bot.base.i18n import LANGUAGES

        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def telegram_token_value(self) -> str | None:
        return self.telegram_token.get_secret_value() if self.telegram_token else None

    @property
    def telegram_helper_token_values(self) -> list[str]:
        raw = self.secret(self.telegram_helper_tokens) or ""
        return [token.strip() for token in raw.split(",") if token.strip()]

    @staticmethod
    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value else None

    @property
    def webhook_secret_value(self) -> str | None:
        return (
            self.telegram_webhook_secret.get_secret_value()
            if self.telegram_webhook_secret
            else None
        )
