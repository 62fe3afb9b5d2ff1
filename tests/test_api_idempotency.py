"""Every POST carries an Idempotency-Key: a retry gets the first answer and adds nothing; the
same key with another body is refused."""

from __future__ import annotations

import asyncio

from storage.models import Message
from tests.fakes.api import api_entry_point
from tests.fakes.desk import Desk


async def test_a_retried_post_gets_the_first_answer_and_stores_one_message(
    api_desk: Desk,
) -> None:
    client, _ = await api_entry_point(api_desk)
    first = await client.post_message("c-7", "Maria", "Is it in stock?", idempotency_key="k-1")
    again = await client.post_message("c-7", "Maria", "Is it in stock?", idempotency_key="k-1")
    assert first[0] == again[0] == 201
    assert again[1] == first[1]
    assert again[2].get("Idempotent-Replayed") == "true"
    assert await Message.filter(direction="in").count() == 1
    await api_desk.settle()
    assert api_desk.topic_texts("Maria") == ["Is it in stock?"]


async def test_the_same_key_with_another_body_is_a_conflict(api_desk: Desk) -> None:
    client, _ = await api_entry_point(api_desk)
    await client.post_message("c-7", "Maria", "Is it in stock?", idempotency_key="k-1")
    status, body, _ = await client.post_message("c-7", "Maria", "Other", idempotency_key="k-1")
    assert status == 409 and body["error"]["code"] == "idempotency_key_reused"
    assert await Message.filter(direction="in").count() == 1
    await api_desk.settle()


async def test_concurrent_retries_store_the_message_once(api_desk: Desk) -> None:
    client, _ = await api_entry_point(api_desk)
    answers = await asyncio.gather(
        *(client.post_message("c-8", "Petr", "Hello", idempotency_key="k-2") for _ in range(5))
    )
    assert {status for status, _, _ in answers} <= {201, 409}
    assert any(status == 201 for status, _, _ in answers)
    assert await Message.filter(direction="in").count() == 1
    await api_desk.settle()
    assert api_desk.topic_texts("Petr") == ["Hello"]


async def test_keys_are_each_entry_points_own(api_desk: Desk) -> None:
    shop, _ = await api_entry_point(api_desk, "shop")
    crm, _ = await api_entry_point(api_desk, "crm")
    a = await shop.post_message("c-1", "Anna", "From the shop", idempotency_key="same")
    b = await crm.post_message("c-1", "Anna K", "From the CRM", idempotency_key="same")
    assert a[0] == b[0] == 201
    assert a[1]["conversation"]["id"] != b[1]["conversation"]["id"]
    await api_desk.settle()
