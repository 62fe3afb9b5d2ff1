"""A system posts its customer's message through the REST API: operators read it in the
customer's topic, answer there, and the system's webhook gets the answer, signed; GET lists
both."""

from __future__ import annotations

from storage.models import EntryPoint, Identity
from tests.fakes.api import Receiver, api_entry_point
from tests.fakes.desk import OPERATOR_CHAT, Desk

OLGA = 1001


async def test_a_system_posts_a_message_and_gets_the_operators_answer(
    api_desk: Desk, receiver: Receiver
) -> None:
    desk = api_desk
    client, _ = await api_entry_point(desk, receiver=receiver)

    status, posted, _ = await client.post_message("c-42", "Ivan Shopper", "Where is my order?")
    assert status == 201, posted
    assert posted["message"]["text"] == "Where is my order?"
    assert posted["contact"] == {"external_id": "c-42", "name": "Ivan Shopper"}
    assert posted["new_conversation"] is True
    conversation = posted["conversation"]["id"]
    await desk.settle()
    assert desk.topic_texts("Ivan Shopper") == ["Where is my order?"]
    # Two systems may both have a customer c-42: the identity is the entry point's own.
    shop = await EntryPoint.get(key="api:shop")
    identities = await Identity.filter(channel="api").values_list("external_id", flat=True)
    assert identities == [f"{shop.id}:c-42"]

    thread = desk.topic_of("Ivan Shopper")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "It ships today", thread_id=thread)
    await desk.settle()

    answers = receiver.of_type("message.created")
    assert [a["message"]["text"] for a in answers] == ["It ships today"]
    assert answers[0]["message"]["author"] == {"type": "operator", "name": "Olga"}
    assert answers[0]["contact"]["external_id"] == "c-42"
    assert receiver.bad_signatures == 0
    assert [e["type"] for e in receiver.of_type("conversation.")][:2] == [
        "conversation.opened",
        "conversation.assigned",
    ]

    status, listed, _ = await client.call("GET", f"/api/v1/conversations/{conversation}/messages")
    assert status == 200, listed
    assert [(m["direction"], m["text"]) for m in listed["messages"]] == [
        ("in", "Where is my order?"),
        ("out", "It ships today"),
    ]
    assert listed["conversation"]["assignee"] == {"name": "Olga"}

    # The next message continues the conversation, in the same topic.
    status, again, _ = await client.post_message("c-42", "Ivan Shopper", "Thanks!")
    assert status == 201 and again["conversation"]["id"] == conversation
    assert again["new_conversation"] is False
    await desk.settle()
    assert desk.topic_texts("Ivan Shopper")[-1] == "Thanks!"


async def test_another_systems_conversation_is_not_found(api_desk: Desk) -> None:
    desk = api_desk
    shop, _ = await api_entry_point(desk, "shop")
    crm, _ = await api_entry_point(desk, "crm")
    _, posted, _ = await shop.post_message("c-1", "Anna", "Hello")
    status, body, _ = await crm.call(
        "GET", f"/api/v1/conversations/{posted['conversation']['id']}/messages"
    )
    assert status == 404 and body["error"]["code"] == "not_found"
    await desk.settle()
