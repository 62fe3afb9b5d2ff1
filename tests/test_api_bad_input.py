"""Bad requests to the API get a clear 4xx in the one error shape, and store nothing."""

from __future__ import annotations

import pytest

from storage.models import ApiRequest, Contact, Conversation, Message
from tests.fakes.api import ApiClient, api_entry_point
from tests.fakes.desk import Desk

GOOD = {"contact": {"external_id": "c-1", "name": "Ivan"}, "text": "Hello"}


async def nothing_stored() -> None:
    assert await Message.all().count() == 0
    assert await Conversation.all().count() == 0
    assert await Contact.all().count() == 0
    assert await ApiRequest.all().count() == 0


@pytest.mark.parametrize(
    ("how", "status", "code"),
    [
        ({"key": None}, 401, "unauthorized"),
        ({"key": "rdk_not-a-real-key"}, 401, "unauthorized"),
        ({"headers": {"Authorization": "Basic abc"}}, 401, "unauthorized"),
        ({"idempotency_key": None}, 400, "idempotency_key_missing"),
        ({"idempotency_key": "x" * 129}, 400, "idempotency_key_invalid"),
        (
            {"data": b'{"contact": ', "headers": {"Content-Type": "application/json"}},
            400,
            "malformed_json",
        ),
        (
            {"data": b"[1, 2]", "headers": {"Content-Type": "application/json"}},
            400,
            "malformed_json",
        ),
        (
            {"data": b"text=hi", "headers": {"Content-Type": "text/plain"}},
            415,
            "unsupported_media_type",
        ),
        ({"json": {**GOOD, "priority": "high"}}, 422, "invalid_body"),
        ({"json": {**GOOD, "contact": {**GOOD["contact"], "vip": True}}}, 422, "invalid_body"),
        ({"json": {**GOOD, "text": ""}}, 422, "invalid_body"),
        ({"json": {**GOOD, "text": 42}}, 422, "invalid_body"),
        ({"json": {**GOOD, "text": "a" * 4097}}, 422, "invalid_body"),
        ({"json": {"text": "Hello"}}, 422, "invalid_body"),
        # PostgreSQL's text holds no NUL character: refused, not a 500 at the insert.
        ({"json": {**GOOD, "text": "Hi\u0000"}}, 422, "invalid_body"),
        (
            {"json": {**GOOD, "contact": {"external_id": "c-1", "name": "Iv\u0000an"}}},
            422,
            "invalid_body",
        ),
        (
            {"json": {**GOOD, "contact": {"external_id": "x" * 37, "name": "Ivan"}}},
            422,
            "invalid_body",
        ),
    ],
)
async def test_a_bad_request_is_refused_in_words_and_stores_nothing(
    api_desk: Desk, how: dict, status: int, code: str
) -> None:
    client, _ = await api_entry_point(api_desk)
    how = {"json": GOOD} | how if "data" not in how else how
    answer, body, _ = await client.call("POST", "/api/v1/messages", **how)
    assert (answer, body["error"]["code"]) == (status, code), body
    assert body["error"]["message"]
    await nothing_stored()


async def test_ten_megabytes_of_text_are_refused_before_they_are_read(api_desk: Desk) -> None:
    client, _ = await api_entry_point(api_desk)
    huge = {**GOOD, "text": "a" * 10 * 1024 * 1024}
    status, body, _ = await client.call("POST", "/api/v1/messages", json=huge)
    assert status == 413 and body["error"]["code"] == "body_too_large"
    await nothing_stored()


async def test_a_rotated_key_stops_working(api_desk: Desk) -> None:
    from bot.directory.api_entry_points import rotate_key

    client, _ = await api_entry_point(api_desk)
    issued = await rotate_key("shop")
    status, body, _ = await client.call("POST", "/api/v1/messages", json=GOOD)
    assert status == 401 and "rotated" in body["error"]["message"]
    assert issued.key
    status, _, _ = await ApiClient(api_desk, issued.key).call("POST", "/api/v1/messages", json=GOOD)
    assert status == 201
    await api_desk.settle()


async def test_unknown_paths_and_methods_answer_in_the_same_shape(api_desk: Desk) -> None:
    client, _ = await api_entry_point(api_desk)
    status, body, _ = await client.call("GET", "/api/v1/nothing")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body, headers = await client.call("DELETE", "/api/v1/messages")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    assert "POST" in headers["Allow"]
    status, body, _ = await client.call("GET", "/api/v1/conversations/abc/messages")
    assert status == 400 and body["error"]["code"] == "invalid_parameter"


async def test_too_many_requests_with_one_key_wait(api_desk: Desk) -> None:
    from storage.models import ApiEntryPoint

    client, _ = await api_entry_point(api_desk)
    await ApiEntryPoint.all().update(requests_per_minute=2)
    for _ in range(2):
        status, _, _ = await client.call("GET", "/api/v1/conversations/1/messages")
        assert status == 404
    status, body, headers = await client.call("GET", "/api/v1/conversations/1/messages")
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert int(headers["Retry-After"]) >= 1
