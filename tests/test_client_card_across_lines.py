"""The client card keeps to its lines: an operator or a supervisor of one line cannot find,
link or read a customer who wrote only to another line — the chat answers as for a
customer who does not exist, as the admin panel refuses the same contact — while an admin
links anyone. A customer of both lines is one card, but the words of their conversations
in the other line stay there."""

from __future__ import annotations

import pytest

from bot.people import contacts
from bot.people.contact_visibility import Sight
from bot.people.contacts import Actor, ContactRefusal
from storage.models import (
    AuditEntry,
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    EntryPoint,
    Identity,
    Line,
    Message,
    Operator,
    Thread,
)
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import hire

OLGA = 1001  # works in the default line only
ANNA = 5001  # writes to the default line
BORIS = 6001  # wrote only to the Sales line
# What the other line knows of Boris: name, username, Telegram id, line, notes, first words.
SECRETS = ("Boris", "boris_b", "6001", "Sales", "owes us 300", "order 777")
NO_MATCH = "No contact matches {}. Try #number, @username, a phone or an email."


async def _sales_customer(contact: Contact, *, username: str, external_id: str, said: str) -> None:
    """`contact` once wrote to the Sales line, in another team's forum (a closed conversation)."""
    sales, _ = await Line.get_or_create(
        slug="sales",
        defaults={"name": "Sales", "workspace_kind": "telegram", "workspace_chat": "-1009"},
    )
    entry, _ = await EntryPoint.get_or_create(
        key="telegram:sales", defaults={"channel": "telegram", "name": "Sales bot", "line": sales}
    )
    identity = await Identity.create(
        contact=contact,
        channel="telegram",
        external_id=external_id,
        username=username,
        display_name=contact.name,
    )
    thread = await Thread.create(
        contact=contact, line=sales, workspace_kind="telegram", workspace_chat="-1009"
    )
    conversation = await Conversation.create(
        contact=contact,
        identity=identity,
        entry_point=entry,
        line=sales,
        thread=thread,
        status=ConversationStatus.CLOSED,
        topic="Delivery",
    )
    await Message.create(conversation=conversation, direction=Direction.IN, text=said)


async def _boris_of_sales() -> Contact:
    boris = await Contact.create(
        name="Boris", phone="+380991112233", notes="Sales: owes us 300 EUR"
    )
    await _sales_customer(boris, username="boris_b", external_id="6001", said="My order 777?")
    return boris


async def _anna_writes(desk: Desk) -> int:
    desk.fake.add_user(ANNA, "Anna", username="anna_k")
    desk.fake.user_sends(ANNA, "Hello, my router is broken")
    await desk.settle()
    return desk.topic_of("Anna")["message_thread_id"]


async def _olga_types(desk: Desk, thread: int, text: str) -> str:
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)
    await desk.settle()
    return desk.fake.chat_messages(OPERATOR_CHAT, thread)[-1].get("text", "")


async def _olga_as(role: str) -> Operator:
    olga = await hire("default", "Olga", telegram=OLGA)
    await Operator.filter(id=olga.id).update(role=role)
    return olga


@pytest.mark.parametrize("role", ["operator", "supervisor"])
async def test_a_customer_of_another_line_is_not_there_for_link_contact_and_history(
    desk: Desk, role: str
) -> None:
    await _olga_as(role)
    thread = await _anna_writes(desk)
    boris = await _boris_of_sales()
    missing = await Contact.create(name="Nobody")  # no conversation anywhere

    answers = {
        query: await _olga_types(desk, thread, f"/link {query}")
        for query in (f"#{boris.id}", str(boris.id), "@boris_b", "+380 99 111 22 33")
    }
    not_there = await _olga_types(desk, thread, f"/link #{missing.id + 1}")
    card = await _olga_types(desk, thread, "/contact")
    history = await _olga_types(desk, thread, "/history")

    for query, answer in answers.items():
        assert answer == NO_MATCH.format(query)  # as for a contact that does not exist
    assert not_there == NO_MATCH.format(f"#{missing.id + 1}")
    assert card.startswith("Client card #1\nName: Anna\n")
    assert history == "No earlier conversations."
    refusals = {NO_MATCH.format(query) for query in answers}
    seen = [
        *(m.get("text", "") for m in desk.fake.bot_messages(OPERATOR_CHAT, thread)),
        *(topic["name"] for topic in desk.fake.topics(OPERATOR_CHAT)),
    ]
    leaks = [text for text in seen if text not in refusals and any(s in text for s in SECRETS)]
    assert leaks == []
    assert (await Contact.get(id=boris.id)).merged_into_id is None
    assert await Identity.filter(contact_id=boris.id).count() == 1
    assert not await AuditEntry.filter(action="contact.merged").exists()


async def test_the_panel_refuses_the_supervisor_the_contact_the_chat_does_not_find(
    desk: Desk,
) -> None:
    olga = await _olga_as("supervisor")
    thread = await _anna_writes(desk)
    boris = await _boris_of_sales()
    await make_account("olga", "supervisor", operator=olga)
    browser = PanelClient(desk.url)
    try:
        await browser.sign_in("olga")
        status, _html = await browser.get(f"/admin/contacts/{boris.id}")
        assert status == 403
        status, html = await browser.get("/admin/contacts/1/merge?target=%40boris_b")
        assert status == 404 and "No contact matches @boris_b." in html
        status, _html = await browser.post("/admin/contacts/1/merge", {"target": str(boris.id)})
        assert status == 403
    finally:
        await browser.close()
    assert await _olga_types(desk, thread, "/link @boris_b") == NO_MATCH.format("@boris_b")
    assert (await Contact.get(id=boris.id)).merged_into_id is None


async def test_an_admin_links_a_customer_of_any_line(desk: Desk) -> None:
    await _olga_as("admin")
    thread = await _anna_writes(desk)
    boris = await _boris_of_sales()

    reply = await _olga_types(desk, thread, "/link @boris_b")

    assert reply.startswith(f"Linked to contact #{boris.id} (Boris): one history from now on.")
    assert (await Contact.get(id=1)).merged_into_id == boris.id
    history = await _olga_types(desk, thread, "/history")
    assert " · Sales · " in history and "↳ “My order 777?”" in history


async def test_the_words_of_a_conversation_in_another_line_stay_in_that_line(
    desk: Desk,
) -> None:
    await _olga_as("operator")
    thread = await _anna_writes(desk)
    anna = await Contact.get(id=1)
    await _sales_customer(anna, username="anna_sales", external_id="5099", said="Invoice 42 please")

    history = await _olga_types(desk, thread, "/history")

    assert history.startswith("Earlier conversations, newest first:\n#2 · ")
    assert " · Sales · " in history and "↳ (in a line you do not work in)" in history
    assert "Invoice 42" not in history
    await Operator.filter(telegram_user_id=OLGA).update(role="admin")
    assert "↳ “Invoice 42 please”" in await _olga_types(desk, thread, "/history")


async def test_the_merge_itself_refuses_a_contact_its_caller_does_not_see(desk: Desk) -> None:
    """Whatever found the target, the core's merge checks the rule again."""
    olga = await _olga_as("supervisor")
    await _anna_writes(desk)
    anna, boris = await Contact.get(id=1), await _boris_of_sales()
    default_line = await Line.get(slug="default")

    with pytest.raises(ContactRefusal) as refused:
        await contacts.merge(
            anna,
            boris,
            at=desk.clock.now(),
            by=Actor(operator=olga),
            seen_by=Sight(frozenset({default_line.id})),
        )

    assert desk.core.translator.render("en", refused.value.text) == NO_MATCH.format(f"#{boris.id}")
    assert (await Contact.get(id=1)).merged_into_id is None
