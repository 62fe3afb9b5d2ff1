"""RELAYDESK_LOG_FORMAT=json: one JSON object a line, saying which conversation and which
delivery a line is about, with the desk's secrets masked as in the text log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.base.settings import Settings
from relaydesk.logs import configure_logging, log_handler
from storage.models import Delivery, DeliveryStatus
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5001
WORKER = logging.getLogger("bot.outbox.worker")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What `relaydesk run` with RELAYDESK_LOG_FORMAT=json writes, with the worker's
    DEBUG line of each send."""
    stream = io.StringIO()
    root, level = logging.getLogger(), logging.getLogger().level
    handler = configure_logging(Settings(_env_file=None, log_format="json"), stream)
    WORKER.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        WORKER.setLevel(logging.NOTSET)
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_each_line_is_json_and_a_send_names_its_delivery(
    json_log: io.StringIO, fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = await Desk(fake_telegram, database_url, log_format="json").start()
    try:
        fake_telegram.add_user(CUSTOMER, "Ivan")
        fake_telegram.user_sends(CUSTOMER, "Hello")
        await desk.settle()
        thread = desk.topic_of("Ivan")["message_thread_id"]
        fake_telegram.member_sends(OPERATOR_CHAT, 1001, "Hi Ivan", thread_id=thread)
        await desk.settle()
        answer = await Delivery.get(target__startswith="customer:", status=DeliveryStatus.SENT)
    finally:
        await desk.stop()

    logged = lines(json_log)
    assert logged and all({"time", "level", "logger", "message"} <= set(e) for e in logged)
    assert "Outbox worker started" in [e["message"] for e in logged]
    (sent,) = [e for e in logged if e.get("delivery_id") == answer.id]
    assert sent["message"] == f"Delivery {answer.id} to {answer.target} sent"
    assert sent["conversation_id"] == answer.conversation_id
    assert sent["level"] == "DEBUG" and sent["logger"] == "bot.outbox.worker"
    opened = [e for e in logged if e["message"].startswith("Opened telegram thread")]
    assert [e.get("conversation_id") for e in opened] == [answer.conversation_id]
    # No line per update at INFO: aiogram's "Update id=… is handled" stays out.
    assert not [e for e in logged if e["logger"] == "aiogram.event"]


@pytest.mark.parametrize(("level", "per_update"), [("INFO", False), ("DEBUG", True)])
def test_a_line_per_update_only_at_debug(level: str, per_update: bool) -> None:
    stream = io.StringIO()
    root, before = logging.getLogger(), logging.getLogger().level
    handler = configure_logging(Settings(_env_file=None, log_level=level), stream)
    try:
        logging.getLogger("aiogram.event").info("Update id=1 is handled. Duration 3 ms")
        logging.getLogger("aiogram.event").warning("An update could not be handled")
    finally:
        root.removeHandler(handler)
        root.setLevel(before)
        logging.getLogger("aiogram.event").setLevel(logging.NOTSET)

    said = stream.getvalue()
    assert ("Update id=1 is handled" in said) is per_update
    assert "An update could not be handled" in said


def test_a_secret_in_a_line_is_masked_and_the_call_may_name_its_delivery() -> None:
    token = "123456:AAsecret-token-of-the-bot-000000000"
    stream = io.StringIO()
    handler = configure_logging(
        Settings(_env_file=None, log_format="json", telegram_token=token), stream
    )
    root, level = logging.getLogger(), logging.getLogger().level
    log = logging.getLogger("tests.json_logs")  # not the desk's: the guard reads the desk's
    try:
        log.warning(
            "GET https://api.telegram.org/bot%s/getMe failed", token, extra={"delivery_id": 7}
        )
        try:
            raise RuntimeError(f"file/bot{token}/photo.jpg: 502")
        except RuntimeError:
            log.exception("Download failed")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    first, second = lines(stream)
    assert first["message"] == "GET https://api.telegram.org/bot***/getMe failed"
    assert first["delivery_id"] == 7 and "conversation_id" not in first
    assert (
        second["level"] == "ERROR" and "RuntimeError: file/bot***/photo.jpg" in second["exception"]
    )
    assert token not in stream.getvalue()


def test_the_default_stays_text_lines_and_masks_secrets_too() -> None:
    token = "123456:AAsecret-token-of-the-bot-000000000"
    settings = Settings(_env_file=None, telegram_token=token)
    assert settings.log_format == "text"
    stream = io.StringIO()
    handler = log_handler(settings, stream)
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "via bot%s", (token,), None)
    handler.handle(record)

    (line,) = stream.getvalue().splitlines()
    assert line.endswith(" INFO bot.x: via bot***")
