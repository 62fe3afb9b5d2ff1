"""The client card: operators see who the customer is, edit it, link two accounts of one
person into one contact with one history, and ban a customer who abuses the desk."""

from __future__ import annotations

from storage.models import AuditEntry, Contact, Conversation, Identity, Thread
from tests.fakes.desk import OPERATOR_CHAT, Desk

ANNA, ANYA = 5001, 5002  # one person: her home account and her work account
OLGA = 1001


async def _writes(desk: Desk, user_id: int, text: str) -> None:
    desk.fake.user_sends(user_id, text)
    await desk.settle()


async def _first_contact(desk: Desk, user_id: int, name: str, username: str, text: str) -> int:
    """A customer writes for the first time; returns their topic's thread id."""
    desk.fake.add_user(user_id, name, username=username)
    await _writes(desk, user_id, text)
    return desk.topic_of(name)["message_thread_id"]


async def _types(desk: Desk, thread: int, text: str) -> dict:
    sent = desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)
    await desk.settle()
    return sent


def _texts(desk: Desk, thread: int) -> list[str]:
    return [m.get("text", "") for m in desk.fake.chat_messages(OPERATOR_CHAT, thread)]


def _reactions(desk: Desk, message: dict) -> list[str]:
    return [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, message["message_id"])]


async def _anna_with_a_closed_conversation(desk: Desk) -> int:
    thread = await _first_contact(desk, ANNA, "Anna", "anna_k", "My router is broken again")
    await _types(desk, thread, "/close solved")
    return thread


async def test_contact_shows_the_identities_fields_and_earlier_conversations(desk: Desk) -> None:
    thread = await _anna_with_a_closed_conversation(desk)
    await _writes(desk, ANNA, "Hello again")
    await Contact.filter(id=1).update(company="Acme", tags=["vip"], notes="Prefers email")

    await _types(desk, thread, "/contact")

    card = _texts(desk, thread)[-1]
    assert card.startswith("Client card #1\nName: Anna\n")
    assert "• telegram · @anna_k · id 5001 · language: en" in card
    assert "Company: Acme" in card and "Tags: vip" in card and "Notes: Prefers email" in card
    assert "Banned: no" in card
    open_part, earlier_part = card.split("Earlier conversations:")
    assert "• #2 · " in open_part and "#1" not in open_part.removeprefix("Client card #1")
    assert "• #1 · closed · " in earlier_part and " · solved · https://t.me/c/" in earlier_part
    assert f"https://t.me/c/{str(OPERATOR_CHAT).removeprefix('-100')}/{thread}" in earlier_part


async def test_operator_sets_a_phone_and_a_bad_email_is_refused(desk: Desk) -> None:
    thread = await _first_contact(desk, ANNA, "Anna", "anna_k", "Call me please")

    phone = await _types(desk, thread, "/contact phone +7 (495) 123-45-67")
    email = await _types(desk, thread, "/contact email anna-at-example")

    assert _reactions(desk, phone) == ["👍"]
    assert _texts(desk, thread)[-1] == "anna-at-example does not look like an email address."
    assert _reactions(desk, email) != ["👍"]
    anna = await Contact.get(id=1)
    assert (anna.phone, anna.email) == ("+74951234567", None)
    entry = await AuditEntry.get(action="contact.updated")
    assert (entry.old_value, entry.new_value, entry.actor_name) == (None, "+74951234567", "Olga")
    assert entry.details["field"] == "phone"

    await _types(desk, thread, "/contact phone 12")
    assert "does not look like a phone number" in _texts(desk, thread)[-1]
    assert (await Contact.get(id=1)).phone == "+74951234567"


async def test_link_merges_the_customer_into_an_existing_contact_and_history_shows_both(
    desk: Desk,
) -> None:
    anna_thread = await _anna_with_a_closed_conversation(desk)
    await _types(desk, anna_thread, "/contact phone +380 50 123 45 67")
    await _types(desk, anna_thread, "/contact tags vip")
    anya_thread = await _first_contact(desk, ANYA, "Anya", "anya_work", "Hi, Anna from work here")
    await _types(desk, anya_thread, "/contact email anna@acme.example")
    await _types(desk, anya_thread, "/contact tags b2b, VIP")

    await _types(desk, anya_thread, "/link +380 (50) 123-45-67")

    reply = _texts(desk, anya_thread)[-1]
    assert reply.startswith("Linked to contact #1 (Anna): one history from now on.")
    assert "@anya_work" in reply and "Conversations on all channels: 2" in reply
    anna, anya = await Contact.get(id=1), await Contact.get(id=2)
    assert (anna.email, anna.tags, anya.merged_into_id) == ("anna@acme.example", ["vip", "b2b"], 1)
    assert sorted(await Identity.filter(contact_id=1).values_list("external_id", flat=True)) == [
        "5001",
        "5002",
    ]
    current = await Conversation.get(id=2)
    assert (current.contact_id, current.open_key) == (1, 1)  # type: ignore[attr-defined]
    # Anna already has a topic in this line: Anya's stays Anya's and keeps working.
    assert (await Thread.get(id=current.thread_id)).contact_id == 2  # type: ignore[attr-defined]
    assert await AuditEntry.filter(action="contact.merged", old_value="2", new_value="1").exists()

    await _writes(desk, ANYA, "Are you still there?")
    assert _texts(desk, anya_thread)[-1] == "Are you still there?"
    assert await Conversation.filter(contact_id=1).count() == 2

    await _types(desk, anya_thread, "/history")
    history = _texts(desk, anya_thread)[-1]
    assert history.startswith("Earlier conversations, newest first:\n#1 · ")
    assert "↳ “My router is broken again”" in history
    await _types(desk, anya_thread, "/contact")
    card = _texts(desk, anya_thread)[-1]
    assert "@anna_k" in card and "@anya_work" in card and "Phone: +380501234567" in card


async def test_link_to_a_contact_with_an_open_conversation_is_refused_and_changes_nothing(
    desk: Desk,
) -> None:
    await _first_contact(desk, ANNA, "Anna", "anna_k", "Hello")
    anya_thread = await _first_contact(desk, ANYA, "Anya", "anya_work", "Hello from work")

    await _types(desk, anya_thread, "/link @Anna_K")

    assert _texts(desk, anya_thread)[-1] == (
        "Contact #1 has an open conversation #1: close it first, then link again."
    )
    assert (await Contact.get(id=2)).merged_into_id is None
    assert (await Identity.get(external_id="5002")).contact_id == 2  # type: ignore[attr-defined]
    assert (await Conversation.get(id=2)).open_key == 2
    assert not await AuditEntry.filter(action="contact.merged").exists()

    await _types(desk, anya_thread, "/link #2")
    assert _texts(desk, anya_thread)[-1] == "This customer already is contact #2."


async def test_ban_stops_the_customers_messages_and_unban_restores_them(desk: Desk) -> None:
    thread = await _first_contact(desk, ANNA, "Anna", "anna_k", "Hello")

    await _types(desk, thread, "/ban insults operators")
    assert _texts(desk, thread)[-1] == "Customer banned: their messages will be ignored."
    await _writes(desk, ANNA, "You are all idiots")
    assert "You are all idiots" not in _texts(desk, thread)
    await _types(desk, thread, "/ban")
    assert _texts(desk, thread)[-1] == "The customer is already banned."

    await _types(desk, thread, "/unban")
    assert _texts(desk, thread)[-1] == "Customer unbanned: their messages reach the desk again."
    await _writes(desk, ANNA, "Sorry about that")
    assert _texts(desk, thread)[-1] == "Sorry about that"
    banned = await AuditEntry.get(action="contact.banned")
    assert (banned.actor_name, banned.details["reason"]) == ("Olga", "insults operators")
    assert await AuditEntry.filter(action="contact.unbanned").exists()
    assert (await Contact.get(id=1)).banned is False


async def test_an_unknown_contact_for_link_gets_a_plain_answer(desk: Desk) -> None:
    thread = await _first_contact(desk, ANNA, "Anna", "anna_k", "Hello")

    await _types(desk, thread, "/link @nobody")
    assert _texts(desk, thread)[-1] == (
        "No contact matches @nobody. Try #number, @username, a phone or an email."
    )
    await _types(desk, thread, "/link")
    assert _texts(desk, thread)[-1].startswith("Write whom to link to: /link #contact")
    await _types(desk, thread, "/history")
    assert _texts(desk, thread)[-1] == "No earlier conversations."
    assert await Contact.filter(merged_into_id__not_isnull=True).count() == 0
