"""Secrets never leave the process in words: a failing Telegram file download (its URL
carries the bot token) is retried and reported without the token, in the log and in the
delivery's stored error."""

from __future__ import annotations

import pytest

from bot.base.redact import Redactor
from storage.models import Delivery
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import Desk

CUSTOMER = 5001


async def test_a_failing_photo_download_never_writes_the_token_anywhere(
    slack_desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    fake = slack_desk.fake
    fake.add_user(CUSTOMER, "Ivan")
    fake.user_sends(CUSTOMER, "Hello")
    await slack_desk.settle()
    fake.fail_next("download", status=502, description="Bad Gateway", times=2)
    fake.user_sends(CUSTOMER, kind="photo", caption="the broken box")
    await slack_desk.settle(timeout=30)

    thread = slack_desk.slack.messages(SLACK_CHANNEL)[0]["ts"]
    replies = slack_desk.slack.messages(SLACK_CHANNEL, thread)
    assert [f["name"] for m in replies for f in m.get("files", [])] == ["photo.jpg"]
    retried = [r for r in caplog.records if "502" in r.getMessage()]
    assert retried, "the failed downloads were logged"
    errors = await Delivery.exclude(last_error=None).values_list("last_error", flat=True)
    assert any("502" in e for e in errors)
    secrets = [fake.token, slack_desk.slack.bot_token, slack_desk.slack.signing_secret]
    for secret in secrets:
        assert not [r for r in caplog.records if secret in r.getMessage()], secret
        assert secret not in caplog.text, secret  # tracebacks included
        assert not [e for e in errors if secret in e], secret


def test_redaction_masks_configured_secrets_and_token_shapes() -> None:
    redactor = Redactor(["configured-signing-secret"])
    text = (
        "GET https://api.telegram.org/file/bot123456789:AAE-abcdefghijklmnopqrstuvwxyz012/x "
        "with xoxb-1111-2222-abcdefABCDEF, xapp-1-A111-222-abcdef and configured-signing-secret"
    )

    masked = "GET https://api.telegram.org/file/bot***/x with ***, *** and ***"
    assert redactor.redact(text) == masked
