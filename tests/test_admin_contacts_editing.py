"""Changing a contact in the admin panel: editing, merging two contacts into one history,
banning — with the chat's own rules and refusals, and audited as `web:<name>`."""

from __future__ import annotations

import re

from storage.models import AuditEntry, Contact, Conversation
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import (
    ANNA,
    ANYA,
    BORIS,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
)
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import customer_writes as _writes
from tests.fakes.admin_data import customer_writes_again as _again
from tests.fakes.admin_data import olga_closes as _olga_closes
from tests.fakes.desk import Desk


def _field(html: str, name: str) -> str:
    """The form field `name` with the text right after it, up to the next label."""
    found = re.search(
        rf'<label>[^<]*<(?:input|textarea) name="{name}".*?(?=<label>|<button)', html, re.S
    )
    assert found, f"no field {name}"
    return found.group(0)


# -- editing ------------------------------------------------------------------------------


async def test_an_admin_edits_the_contact_and_the_audit_says_it_was_the_panel(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Call me please", username="anna_k")
    await _admin(browser)
    await browser.get("/admin/contacts/1")

    status, html = await browser.post(
        "/admin/contacts/1",
        {
            "name": "Anna Karenina",
            "phone": "+7 (495) 123-45-67",
            "email": "anna@acme.example",
            "company": "Acme",
            "tags": "vip, b2b, VIP",
            "notes": "Prefers email",
        },
    )

    assert status == 200 and "The contact is saved." in html and 'value="+74951234567"' in html
    anna = await Contact.get(id=1)
    assert (anna.name, anna.phone, anna.email, anna.company, anna.tags, anna.notes) == (
        "Anna Karenina",
        "+74951234567",
        "anna@acme.example",
        "Acme",
        ["vip", "b2b"],
        "Prefers email",
    )
    entries = await AuditEntry.filter(action="contact.updated").order_by("id")
    assert [e.details["field"] for e in entries] == [
        "name",
        "phone",
        "email",
        "company",
        "notes",
        "tags",
    ]
    assert {e.actor_name for e in entries} == {"web:boss"}

    status, html = await browser.post(
        "/admin/contacts/1", {"company": "", "phone": "495 123 45 67"}
    )
    assert status == 200 and (await Contact.get(id=1)).company is None
    assert await AuditEntry.filter(action="contact.updated").count() == 8


async def test_a_bad_email_is_explained_next_to_the_field_and_nothing_is_saved(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Call me please", username="anna_k")
    await _admin(browser)
    await browser.get("/admin/contacts/1")

    status, html = await browser.post(
        "/admin/contacts/1",
        {"name": "Anna K", "phone": "+380 50 123 45 67", "email": "anna-at-example", "tags": ""},
    )

    assert status == 400
    assert "anna-at-example does not look like an email address." in _field(html, "email")
    assert 'value="anna-at-example"' in html and 'value="Anna K"' in html
    assert "field-error" not in _field(html, "phone")
    anna = await Contact.get(id=1)
    assert (anna.name, anna.phone, anna.email) == ("Anna", None, None)
    assert not await AuditEntry.filter(action="contact.updated").exists()

    status, html = await browser.post("/admin/contacts/1", {"name": "", "phone": "12"})
    assert status == 400
    assert "The name cannot be empty." in _field(html, "name")
    assert "does not look like a phone number" in _field(html, "phone")
    assert (await Contact.get(id=1)).name == "Anna"


# -- merging ------------------------------------------------------------------------------


async def test_merging_joins_two_histories_under_the_chosen_contact(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "My router is broken again", username="anna_k")
    await _olga_closes(desk, "Anna")
    await _writes(desk, ANYA, "Anya", "Hi, Anna from work here", username="anya_work")
    await Contact.filter(id=2).update(email="anna@acme.example")
    await _admin(browser)

    status, html = await browser.get("/admin/contacts/2/merge?target=@Anna_K")
    assert status == 200
    assert "Merge contact #2 into contact #1? This cannot be undone." in html
    assert "@anya_work" in html and "@anna_k" in html and "anna@acme.example" in html
    assert "Open conversation: #2" in html

    status, html = await browser.post("/admin/contacts/2/merge", {"target": "1"})

    assert status == 200 and "Contact #1: Anna" in html
    assert "Contact #2 was merged into this one: one history from now on." in html
    assert 'href="/admin/conversations/1"' in html and 'href="/admin/conversations/2"' in html
    assert "@anya_work" in html and "@anna_k" in html
    assert await Conversation.filter(contact_id=1).count() == 2
    assert (await Contact.get(id=1)).email == "anna@acme.example"
    assert (await Contact.get(id=2)).merged_into_id == 1
    entry = await AuditEntry.get(action="contact.merged")
    assert (entry.old_value, entry.new_value, entry.actor_name) == ("2", "1", "web:boss")
    status, html = await browser.get("/admin/contacts/2")
    assert "Contact #1: Anna" in html  # the merged contact leads to the one it became

    await _again(desk, ANYA, "Are you still there?")
    assert await Conversation.filter(contact_id=1).count() == 2


async def test_merging_two_contacts_with_open_conversations_is_refused_in_plain_words(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    await _writes(desk, ANYA, "Anya", "Hello from work", username="anya_work")
    await _admin(browser)
    await browser.get("/admin/contacts/2/merge?target=%231")

    status, html = await browser.post("/admin/contacts/2/merge", {"target": "1"})

    assert status == 400
    assert "Contact #1 has an open conversation #1: close it first, then link again." in html
    assert (await Contact.get(id=2)).merged_into_id is None
    assert (await Conversation.get(id=2)).contact_id == 2  # type: ignore[attr-defined]
    assert not await AuditEntry.filter(action="contact.merged").exists()


async def test_the_merge_target_is_looked_up_like_link_does(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    await _writes(desk, ANYA, "Anya", "Hello", username="anya")
    await _writes(desk, BORIS, "Boris", "Hello", username="boris")
    await Contact.filter(id__in=[1, 2]).update(phone="+380501234567")
    await _admin(browser)

    status, html = await browser.get("/admin/contacts/3/merge")
    assert status == 200 and 'name="target"' in html and "cannot be undone" not in html
    status, html = await browser.get("/admin/contacts/3/merge?target=nobody@example.com")
    assert status == 404
    assert "No contact matches nobody@example.com. Try #number, @username" in html
    status, html = await browser.get("/admin/contacts/3/merge?target=%2B380 50 123 45 67")
    assert "Several contacts match +380 50 123 45 67: choose one." in html
    assert 'href="/admin/contacts/3/merge?target=%231"' in html
    assert 'href="/admin/contacts/3/merge?target=%232"' in html


# -- banning ------------------------------------------------------------------------------


async def test_ban_with_a_reason_stops_the_customer_and_unban_lets_them_in(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    await _admin(browser)
    await browser.get("/admin/contacts/1")

    status, html = await browser.post("/admin/contacts/1/ban", {"reason": "insults operators"})

    assert status == 200 and "Customer banned: their messages will be ignored." in html
    assert (await Contact.get(id=1)).banned
    entry = await AuditEntry.get(action="contact.banned")
    assert (entry.details["reason"], entry.actor_name) == ("insults operators", "web:boss")
    await _again(desk, ANNA, "You are all idiots")
    assert "You are all idiots" not in [m.get("text") for m in desk.topic_messages("Anna")]
    status, html = await browser.post("/admin/contacts/1/ban", {"reason": "again"})
    assert status == 400 and "The customer is already banned." in html

    status, html = await browser.post("/admin/contacts/1/unban")

    assert status == 200 and "Customer unbanned: their messages reach the desk again." in html
    assert not (await Contact.get(id=1)).banned
    assert (await AuditEntry.get(action="contact.unbanned")).actor_name == "web:boss"
    status, html = await browser.post("/admin/contacts/1/unban")
    assert status == 400 and "The customer is not banned." in html


# -- forged and foreign-language forms ----------------------------------------------------


async def test_a_form_without_its_csrf_token_changes_nothing(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    await _writes(desk, ANYA, "Anya", "Hello", username="anya")
    await _olga_closes(desk, "Anna")
    await _admin(browser)
    await browser.get("/admin/contacts/1")

    for path, form in (
        ("/admin/contacts/1", {"name": "Forged"}),
        ("/admin/contacts/1/ban", {"reason": "forged"}),
        ("/admin/contacts/2/merge", {"target": "1"}),
    ):
        status, html = await browser.post(path, form, csrf=False)
        assert status == 403 and "form has expired" in html, path
        status, _ = await browser.post(path, form | {"csrf_token": "forged"})
        assert status == 403, path
    anna = await Contact.get(id=1)
    assert (anna.name, anna.banned) == ("Anna", False)
    assert (await Contact.get(id=2)).merged_into_id is None


async def test_refusals_speak_the_accounts_language(desk: Desk, browser: PanelClient) -> None:
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    await make_account("olha", language="uk")
    await browser.sign_in("olha")
    await browser.get("/admin/contacts/1")

    status, html = await browser.post("/admin/contacts/1", {"email": "anna-at-example"})

    assert status == 400 and "Зберегти контакт" in html
    assert "anna-at-example не схоже на адресу електронної пошти." in _field(html, "email")
