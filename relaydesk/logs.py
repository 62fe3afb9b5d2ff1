"""The log's one handler: text lines (the default) or one JSON object a line
(RELAYDESK_LOG_FORMAT=json), with the desk's secrets masked either way."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from bot.base.log_context import FIELDS, ContextFilter
from bot.base.redact import Redactor
from bot.base.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """The text line as before; a secret that slipped into a message or a traceback (the
    call sites redact what they say, a library may not) is masked."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redactor.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message"}`, plus `conversation_id` and `delivery_id`
    when the line is about one (bot/base/log_context) and `exception` with a traceback."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redactor.redact(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self._redactor.redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self._redactor.redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_handler(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    redactor = Redactor.of_settings(settings)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(redactor))
        handler.addFilter(ContextFilter())
    else:
        handler.setFormatter(RedactingFormatter(redactor))
    return handler


# Loggers that say something of every update or request at INFO: aiogram's "Update id=… is
# handled. Duration … ms" is a line per customer message and per answer, which under load
# cost the desk about a tenth of its CPU (formatted, masked and written) and drowned what
# the desk itself says. They speak at RELAYDESK_LOG_LEVEL=DEBUG, and warnings always.
CHATTY_AT_INFO = ("aiogram.event",)


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Installs the handler on the root logger at RELAYDESK_LOG_LEVEL; returns it."""
    handler = log_handler(settings, stream)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    chatty = logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING
    for name in CHATTY_AT_INFO:
        logging.getLogger(name).setLevel(chatty)
    return handler
