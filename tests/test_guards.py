"""The guards that fail a test behind its back (tests/fakes/guard.py) do see what they claim."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.exceptions import TelegramRetryAfter

from tests.fakes.guard import Guard
from tests.fakes.telegram import FakeTelegram


async def test_a_send_before_retry_after_is_over_is_caught(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_user(5001, "Ivan")
    fake_telegram.fail_next("sendMessage", status=429, retry_after=2)
    bot = fake_telegram.make_bot()
    try:
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(5001, "first")
        await asyncio.sleep(0.3)
        await bot.send_message(5001, "too early")
    finally:
        await bot.session.close()

    (violation,) = fake_telegram.retry_after_violations()
    assert "sendMessage to chat 5001" in violation
    fake_telegram.rate_limited.clear()  # seen: this test's own guard must not fail it


def test_unhandled_exceptions_and_secrets_in_the_log_are_problems() -> None:
    watch = Guard()
    watch.secrets.add("123456:TEST")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        exc_info = (type(error), error, error.__traceback__)
    for name, exc in (("bot.outbox.worker", exc_info), ("tests.fakes.telegram", exc_info)):
        watch.handle(logging.LogRecord(name, logging.ERROR, __file__, 1, "failed", (), exc))
    token_line = "calling /bot123456:TEST/getMe"
    watch.handle(logging.LogRecord("aiogram", logging.INFO, __file__, 1, token_line, (), None))

    problems = watch.problems(errors_expected=False)
    assert len(problems) == 2  # the fake's own logger is not the desk's
    assert problems[0].startswith("unhandled exception logged by bot.outbox.worker")
    assert problems[1].startswith("a secret reached the log (aiogram)")
    assert watch.problems(errors_expected=True) == [problems[1]]
