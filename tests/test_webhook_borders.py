"""What strangers can send to the two webhooks: unsigned, badly signed, malformed, deeply
nested and oversized bodies get the right 4xx, one log line and no traceback, and the desk
goes on serving. Ends with a seeded fuzz over both endpoints."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import Desk
from tests.fakes.hostile import Mutator, deeply_nested, post, post_chunked
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.signing import signed_headers
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5001
OLGA = "U0OLGA"
SECRET = "hook-s3cret"
WEB_SIDE = ("aiohttp", "slack_bolt", "bridges")
TWO_MB = b"{" + b" " * (2 * 1024 * 1024) + b"}"


@pytest.fixture
async def desk(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> AsyncIterator[Desk]:
    """Customers on Telegram through the webhook; the line in Slack over HTTP events."""
    desk = Desk.with_slack(
        fake_telegram,
        fake_slack,
        database_url,
        SLACK_CHANNEL,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
    )
    desk.settings.telegram_webhook_url = f"{desk.url}/telegram/webhook"
    await desk.start()
    yield desk
    await desk.stop()


def slack_url(desk: Desk) -> str:
    return f"{desk.url}/slack/events"


def telegram_url(desk: Desk) -> str:
    return f"{desk.url}/telegram/webhook"


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    """No traceback anywhere, and no error from the HTTP side (the outbox may still log a
    delivery the messenger refused: that is its job, not a crash)."""
    loud = [
        r
        for r in caplog.records
        if r.exc_info or (r.levelno >= logging.ERROR and r.name.startswith(WEB_SIDE))
    ]
    assert loud == [], [r.getMessage() for r in loud]


def slack_threads(desk: Desk) -> dict[str, list[str]]:
    """The texts of each thread of the line's Slack channel, by the thread's ts."""
    return {
        parent["ts"]: [m["text"] for m in desk.slack.messages(SLACK_CHANNEL, parent["ts"])]
        for parent in desk.slack.messages(SLACK_CHANNEL)
    }


def shown_in_slack(desk: Desk) -> list[str]:
    return [text for texts in slack_threads(desk).values() for text in texts]


async def still_serving(desk: Desk) -> None:
    """A customer's message reaches the Slack thread and the operator's answer comes back."""
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Are you there?")
    await desk.fake.wait_idle()
    await desk.settle()
    threads = [ts for ts, texts in slack_threads(desk).items() if texts[-1:] == ["Are you there?"]]
    assert len(threads) == 1
    thread = threads[0]
    status, _, _ = await desk.slack.user_posts(
        slack_url(desk), SLACK_CHANNEL, OLGA, "Yes, we are", thread_ts=thread
    )
    await desk.settle()
    assert status == 200
    assert desk.customer_sees(CUSTOMER)[-1]["text"] == "Yes, we are"


def form(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


STRANGERS_BODIES = {
    "malformed JSON": (b'{"type": "event_callback", "event": {', "application/json"),
    "deeply nested JSON": (deeply_nested(), "application/json"),
    "broken payload=": (b"payload=%7B%22type%22%3A", "application/x-www-form-urlencoded"),
    "a plausible event": (b'{"type":"event_callback","event_id":"Ev1"}', "application/json"),
}


@pytest.mark.parametrize("case", list(STRANGERS_BODIES))
async def test_slack_refuses_unsigned_requests_before_reading_them(
    desk: Desk, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = STRANGERS_BODIES[case]
    fake = desk.slack
    wrong_secret = signed_headers("not-the-signing-secret", body, content_type)
    made_up = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": "yesterday",
        "X-Slack-Signature": "v0=∞",
    }
    stale = fake.sign(body, content_type, timestamp=1_000_000_000)
    unsigned = {"Content-Type": content_type}

    statuses = [
        await post(slack_url(desk), body, headers)
        for headers in (unsigned, wrong_secret, made_up, stale)
    ]
    assert statuses == [401] * 4
    no_tracebacks(caplog)
    await still_serving(desk)


def button_press(**fields: object) -> dict[str, object]:
    """A signed block_actions body as Slack sends it, with `fields` changed."""
    return {
        "type": "block_actions",
        "user": {"id": "U0NEWBIE", "username": "newbie"},
        "channel": {"id": "D0DIRECT", "name": "support"},
        "message": {"type": "message", "ts": "1700000000.000100", "text": "card"},
        "trigger_id": "1.1.border",
        "response_url": "https://hooks.slack.test/actions/1",
    } | fields


SIGNED_BAD_BODIES = {
    "malformed JSON": (b'{"type": "event_callback", "event": {', "application/json"),
    "deeply nested JSON": (deeply_nested(), "application/json"),
    "deeply nested payload=": (
        form({"payload": deeply_nested().decode()}),
        "application/x-www-form-urlencoded",
    ),
    "broken payload=": (b"payload=%7B%22type%22%3A", "application/x-www-form-urlencoded"),
    "payload= that is a list": (form({"payload": "[1, 2]"}), "application/x-www-form-urlencoded"),
    "JSON that is a string": (b'"event_callback"', "application/json"),
    # Bolt reads the first action of a button press before any listener: found by the fuzz.
    "a button press with no action": (
        form({"payload": json.dumps(button_press(actions=[]))}),
        "application/x-www-form-urlencoded",
    ),
    "a button press without actions": (
        form({"payload": json.dumps(button_press())}),
        "application/x-www-form-urlencoded",
    ),
    "an attachment's button with no action": (
        form({"payload": json.dumps(button_press(type="interactive_message", actions=[]))}),
        "application/x-www-form-urlencoded",
    ),
}


@pytest.mark.parametrize("case", list(SIGNED_BAD_BODIES))
async def test_slack_answers_400_to_a_signed_but_malformed_body(
    desk: Desk, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = SIGNED_BAD_BODIES[case]
    status = await post(slack_url(desk), body, desk.slack.sign(body, content_type))

    assert status == 400
    assert any("Malformed Slack request" in r.getMessage() for r in caplog.records)
    no_tracebacks(caplog)
    await still_serving(desk)


async def test_slack_answers_413_to_an_oversized_body(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    headers = desk.slack.sign(TWO_MB, "application/json")

    assert await post(slack_url(desk), TWO_MB, headers) == 413
    assert await post_chunked(slack_url(desk), TWO_MB, headers) == 413
    no_tracebacks(caplog)
    await still_serving(desk)


async def test_telegram_refuses_a_wrong_secret_before_reading_the_body(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    statuses = [
        await post(telegram_url(desk), body, headers)
        for body in (b"{not json", deeply_nested(), b'{"update_id": 1}')
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"})
    ]

    assert statuses == [401] * 6
    no_tracebacks(caplog)
    await still_serving(desk)


TELEGRAM_BAD_BODIES = {
    "malformed JSON": b'{"update_id": 1, "message": {',
    "deeply nested JSON": deeply_nested(),
    "deeply nested inside an update": b'{"update_id":1,"message":' + deeply_nested(20_000) + b"}",
    "a list": b"[1, 2, 3]",
    "not UTF-8": b'{"update_id": 1, "x": "\xff\xfe"}',
    "no update": b'{"hello": "world"}',
}


@pytest.mark.parametrize("case", list(TELEGRAM_BAD_BODIES))
async def test_telegram_answers_400_to_a_malformed_body_with_the_right_secret(
    desk: Desk, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    status = await post(telegram_url(desk), TELEGRAM_BAD_BODIES[case], headers)

    assert status == 400
    assert any("Malformed webhook body" in r.getMessage() for r in caplog.records)
    no_tracebacks(caplog)
    await still_serving(desk)


async def test_telegram_answers_413_to_an_oversized_body(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    assert await post(telegram_url(desk), TWO_MB, headers) == 413
    assert await post_chunked(telegram_url(desk), TWO_MB, headers) == 413
    no_tracebacks(caplog)
    await still_serving(desk)


async def test_a_customer_message_with_the_id_of_an_answer_sent_there_is_dropped_with_200(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram never reuses a message id in a chat; a forged update does (the endpoint
    fuzz found it). It is not stored, answered 200 so that it is not sent again, and the
    desk goes on serving the customer."""
    await still_serving(desk)
    answer_id = desk.customer_sees(CUSTOMER)[-1]["message_id"]
    person = {"id": CUSTOMER, "is_bot": False, "first_name": "Ivan"}
    forged = {
        "update_id": 987_654,
        "message": {
            "message_id": answer_id,
            "date": 1_765_000_000,
            "chat": {"id": CUSTOMER, "type": "private", "first_name": "Ivan"},
            "from": person,
            "text": "Forged",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    assert await post(telegram_url(desk), json.dumps(forged).encode(), headers) == 200
    await desk.settle()

    assert "Forged" not in shown_in_slack(desk)
    assert any("reuses a stored message's id" in r.getMessage() for r in caplog.records)
    no_tracebacks(caplog)
    desk.fake.user_sends(CUSTOMER, "Still here")
    await desk.fake.wait_idle()
    await desk.settle()
    assert "Still here" in shown_in_slack(desk)


FUZZ_ROUNDS = 120
CONTENT_TYPES = (
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/json; charset=utf-8",
    "multipart/form-data; boundary=x",
    "",
)


def slack_samples(desk: Desk, thread: str) -> list[tuple[bytes, str]]:
    """Fresh real deliveries of every kind (new event ids and trigger ids each time)."""
    fake = desk.slack
    message = fake.post_envelopes(SLACK_CHANNEL, OLGA, "!note fuzz", thread_ts=thread)[0]
    reply = fake.messages(SLACK_CHANNEL, thread)[-1]["ts"]
    return [
        fake.signed_event(message)[0],
        fake.signed_payload(fake.block_actions(SLACK_CHANNEL, thread, OLGA, "rd_x", "rd:take:1"))[
            0
        ],
        fake.signed_payload(fake.message_action(SLACK_CHANNEL, reply, OLGA, "relaydesk_actions"))[
            0
        ],
        fake.signed_form(fake.slash_command_form("/desk", "help", OLGA, SLACK_CHANNEL))[0],
    ]


def damaged_slack_body(mutator: Mutator, body: bytes) -> tuple[bytes, str]:
    """A structurally damaged copy (still JSON / a form) or a byte-damaged one."""
    if body.startswith(b"{"):
        if mutator.rng.random() < 0.7:
            return mutator.json_bytes(mutator.structure(json.loads(body))), "application/json"
        return mutator.raw(body), "application/json"
    fields = dict(parse_qsl(body.decode()))
    if "payload" in fields and mutator.rng.random() < 0.7:
        damaged = mutator.structure(json.loads(fields["payload"]))
        return form({"payload": json.dumps(damaged)}), "application/x-www-form-urlencoded"
    if mutator.rng.random() < 0.5:
        return form(mutator.structure(fields)), "application/x-www-form-urlencoded"
    return mutator.raw(body), "application/x-www-form-urlencoded"


def stranger_headers(mutator: Mutator, signed: dict[str, str]) -> dict[str, str]:
    rng = mutator.rng
    headers = {"Content-Type": rng.choice(CONTENT_TYPES)}
    if rng.random() < 0.5:
        headers["X-Slack-Request-Timestamp"] = rng.choice(
            [signed["X-Slack-Request-Timestamp"], "0", "-5", "1e9", "٣", "9" * 40]
        )
    if rng.random() < 0.5:
        headers["X-Slack-Signature"] = rng.choice(
            ["v0=", "v0=" + "0" * 64, signed["X-Slack-Signature"][:-1] + "0", "é" * 10]
        )
    if rng.random() < 0.3:
        headers["X-Slack-Retry-Num"] = rng.choice(["1", "x", "-1"])
    return headers


async def test_fuzzed_slack_deliveries_never_get_a_5xx(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    mutator = Mutator(seed=18_5)
    desk.fake.add_user(CUSTOMER + 1, "Fuzz")
    desk.fake.user_sends(CUSTOMER + 1, "a thread to aim at")
    await desk.fake.wait_idle()
    await desk.settle()
    thread = desk.slack.messages(SLACK_CHANNEL)[0]["ts"]
    statuses: Counter[int] = Counter()
    for _ in range(FUZZ_ROUNDS):
        body, content_type = damaged_slack_body(
            mutator, mutator.rng.choice(slack_samples(desk, thread))
        )
        signed = desk.slack.sign(body, content_type)
        headers = signed if mutator.rng.random() < 0.6 else stranger_headers(mutator, signed)
        statuses[await post(slack_url(desk), body, headers)] += 1
    await desk.settle()

    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[401] and statuses[400], statuses
    no_tracebacks(caplog)
    await still_serving(desk)


async def test_fuzzed_telegram_updates_never_get_a_5xx(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    mutator = Mutator(seed=18_6)
    desk.fake.add_user(CUSTOMER + 1, "Fuzz")
    desk.fake.user_sends(CUSTOMER + 1, "a real update to start from")
    await desk.fake.wait_idle()
    await desk.settle()
    real = desk.fake.webhook_deliveries[-1]
    statuses: Counter[int] = Counter()
    for round_ in range(FUZZ_ROUNDS):
        update = mutator.structure(real) | {"update_id": 10_000 + round_}
        body = mutator.json_bytes(update)
        if mutator.rng.random() < 0.3:
            body = mutator.raw(body)
        secret = SECRET if mutator.rng.random() < 0.8 else mutator.rng.choice(["", "x", "é"])
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        headers["Content-Type"] = mutator.rng.choice(CONTENT_TYPES)
        statuses[await post(telegram_url(desk), body, headers)] += 1
    await desk.settle()

    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[401] and statuses[400] and statuses[200], statuses
    no_tracebacks(caplog)
    await still_serving(desk)


async def test_a_request_aiohttp_cannot_parse_is_a_400_and_one_warning_line(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{desk.url}/healthz?q={'x' * 9000}") as answer:
                assert answer.status == 400
            async with session.get(f"{desk.url}/healthz") as answer:
                assert answer.status == 200
    said = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert len(said) == 1 and said[0].levelno == logging.WARNING and not said[0].exc_info
    assert "LineTooLong" in said[0].getMessage()
