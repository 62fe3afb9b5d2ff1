"""Requests aiohttp cannot even parse (a URL over 8 KB, a broken header line) are answered
400 by aiohttp itself, which logs each as an ERROR with a traceback: anyone on the network
could fill the log with them. One warning line says the same."""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import BadHttpMessage

SERVER_LOGGER = "aiohttp.server"


class BadRequestOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, BadHttpMessage):
            said = record.getMessage()
            record.msg = "%s: %s (answered %s)"
            record.args = (said, type(error).__name__, error.code)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def log_bad_requests_on_one_line() -> None:
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, BadRequestOnOneLine) for f in logger.filters):
        logger.addFilter(BadRequestOnOneLine())
