"""The address book in the admin panel: finding a customer, their card with every
conversation on every channel, editing, merging two contacts into one history, banning —
with the chat's own rules and refusals, for the roles that may, and audited as `web:<name>`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from storage.models import (
    AuditEntry,
    Contact,
    Conversation,
    ConversationStatus,
    EntryPoint,
    Identity,
    Line,
    Thread,
)
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import hire

ANNA, ANYA, BORIS = 5001, 5002, 5003
OLGA, PETRO = 1001, 1002
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def _writes(desk: Desk, user_id: int, name: str, text: str, username: str | None = None):
    desk.fake.add_user(user_id, name, username=username)
    desk.fake.user_sends(user_id, text)
    await desk.settle()


async def _again(desk: Desk, user_id: int, text: str) -> None:
    desk.fake.user_sends(user_id, text)
    await desk.settle()


async def _olga_closes(desk: Desk, name: str) -> None:
    thread = desk.topic_of(name)["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()


async def _admin(browser: PanelClient) -> None:
    await make_account("boss")
    await browser.sign_in("boss")


async def _from_the_website(contact_id: int, *, line_slug: str = "default") -> Conversation:
    """The same person once wrote from the site's chat widget (a closed conversation)."""
    line = await Line.get(slug=line_slug)
    entry, _ = await EntryPoint.get_or_create(
        key=f"webchat:{line_slug}",
        defaults={"channel": "webchat", "name": "Site widget", "line": line},
    )
    identity = await Identity.create(
        contact_id=contact_id,
        channel="webchat",
        external_id=f"visitor-{contact_id}",
        display_name="Visitor",
    )
    thread, _ = await Thread.get_or_create(
        contact_id=contact_id,
        line=line,
        defaults={"workspace_kind": line.workspace_kind, "workspace_chat": line.workspace_chat},
    )
    return await Conversation.create(
        contact_id=contact_id,
        identity=identity,
        entry_point=entry,
        line=line,
        thread=thread,
        status=ConversationStatus.CLOSED,
        topic="Billing",
        result="solved",
    )


def _listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/admin/contacts/(\d+)"', html)}


def _field(html: str, name: str) -> str:
    """The form field `name` with the text right after it, up to the next label."""
    found = re.search(
        rf'<label>[^<]*<(?:input|textarea) name="{name}".*?(?=<label>|<button)', html, re.S
    )
    assert found, f"no field {name}"
    return found.group(0)


# -- finding -------------------------------------------------------------------------------


async def test_the_address_book_finds_a_customer_by_each_field(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "My router is broken", username="anna_k")
    await _writes(desk, BORIS, "Boris", "Hello", username="boris")
    await Contact.filter(id=1).update(
        phone="+74951234567", email="anna@acme.example", company="Acme Corp"
    )
    await Contact.filter(id=2).update(phone="+380501112233", company="Globex")
    await _from_the_website(1)
    await _admin(browser)

    status, html = await browser.get("/admin/contacts")
    assert status == 200 and _listed(html) == {1, 2}
    for query in (
        "ann",
        "ANNA",
        "495 123-45",
        "acme.example",
        "acme corp",
        "@anna_k",
        "ANNA_K",
        "5001",
        "webchat",
        "visitor-1",
        "#1",
    ):
        status, html = await browser.get("/admin/contacts", params={"q": query})
        assert status == 200 and _listed(html) == {1}, query
        assert "Contacts found: 1" in html
    status, html = await browser.get("/admin/contacts", params={"q": "nobody like that"})
    assert _listed(html) == set() and "No contacts found." in html


async def test_the_address_book_shows_25_contacts_a_page(desk: Desk, browser: PanelClient) -> None:
    for number in range(30):
        await Contact.create(name=f"Customer {number:02}", company="Initech")
    await _admin(browser)

    status, html = await browser.get("/admin/contacts?q=initech")
    assert status == 200 and len(_listed(html)) == 25 and "Page 1 of 2" in html
    assert "Customer 29" in html and "Customer 04" not in html
    assert 'href="/admin/contacts?q=initech&amp;page=2"' in html
    status, html = await browser.get("/admin/contacts?q=initech&page=2")
    assert len(_listed(html)) == 5 and "Page 2 of 2" in html and "Customer 04" in html
    status, html = await browser.get("/admin/contacts?q=initech&page=99")
    assert status == 200 and "Page 2 of 2" in html


# -- the contact page ----------------------------------------------------------------------


async def test_the_contact_page_shows_identities_fields_and_every_conversation(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "My router is broken", username="anna_k")
    await _olga_closes(desk, "Anna")
    await _again(desk, ANNA, "Again!")
    website = await _from_the_website(1)
    await Contact.filter(id=1).update(company="Acme Corp", tags=["vip"], notes="Prefers email")
    await _admin(browser)

    status, html = await browser.get("/admin/contacts/1")

    assert status == 200 and "Contact #1: Anna" in html
    assert "<td>@anna_k</td><td>5001</td>" in html and "visitor-1" in html
    assert 'value="Acme Corp"' in html and 'value="vip"' in html and "Prefers email" in html
    assert "Not banned." in html
    for number in (1, 2, website.id):
        assert f'href="/admin/conversations/{number}">#{number}</a>' in html
    assert html.count("<td>telegram ") == 2 and "<td>webchat " in html
    assert html.count("<td>closed</td>") == 2 and re.search(r"<td>(new|in progress)</td>", html)
    assert "Billing / solved" in html and "— / solved" in html


async def test_an_unknown_contact_is_not_found(desk: Desk, browser: PanelClient) -> None:
    await _admin(browser)
    await browser.get("/admin/contacts")
    for path in ("/admin/contacts/99", "/admin/contacts/99/merge", "/admin/contacts/99999999999"):
        status, html = await browser.get(path)
        assert status == 404 and "There is no such page." in html, path
    for path in (
        "/admin/contacts/99",
        "/admin/contacts/99/ban",
        "/admin/contacts/99/unban",
        "/admin/contacts/99/merge",
    ):
        status, _ = await browser.post(path, {"name": "X", "target": "1"})
        assert status == 404, path


async def test_a_hostile_name_is_shown_as_text(desk: Desk, browser: PanelClient) -> None:
    await _writes(desk, ANNA, HOSTILE, "Hi")
    await _admin(browser)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    for path in ("/admin/contacts", "/admin/contacts/1", "/admin/contacts/1/merge?target=%231"):
        status, html = await browser.get(path)
        assert status == 200 and escaped in html and HOSTILE not in html, path
    status, html = await browser.post("/admin/contacts/1", {"name": HOSTILE, "email": "bad"})
    assert status == 400 and escaped in html and HOSTILE not in html


# -- editing -------------------------------------------------------------------------------


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


# -- merging -------------------------------------------------------------------------------


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


# -- banning -------------------------------------------------------------------------------


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


# -- who may ---------------------------------------------------------------------------------


async def _two_lines(desk: Desk) -> None:
    """Anna writes to the default line; Boris once wrote to the sales line."""
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    await Line.create(slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1002")
    boris = await Contact.create(name="Boris")
    await _from_the_website(boris.id, line_slug="sales")


async def test_a_supervisor_sees_only_contacts_of_their_lines(
    desk: Desk, browser: PanelClient
) -> None:
    await _two_lines(desk)
    petro = await hire("sales", "Petro", telegram=PETRO)
    await make_account("sam", role="supervisor", operator=petro)
    await browser.sign_in("sam")

    status, html = await browser.get("/admin/contacts")
    assert status == 200 and _listed(html) == {2}
    status, html = await browser.get("/admin/contacts?q=anna")
    assert _listed(html) == set()
    status, html = await browser.get("/admin/contacts/2")
    assert status == 200 and "Contact #2: Boris" in html
    status, _ = await browser.get("/admin/contacts/1")
    assert status == 403
    status, _ = await browser.get("/admin/contacts/1/merge")
    assert status == 403
    status, _ = await browser.get("/admin/contacts/404")
    assert status == 404

    await browser.get("/admin/contacts/2")
    for path in ("/admin/contacts/1", "/admin/contacts/1/ban", "/admin/contacts/1/unban"):
        status, _ = await browser.post(path, {"name": "Hacked", "reason": "x"})
        assert status == 403, path
    status, _ = await browser.post("/admin/contacts/2/merge", {"target": "1"})
    assert status == 403
    status, html = await browser.get("/admin/contacts/2/merge?target=%231")
    assert status == 404 and "No contact matches #1." in html
    anna = await Contact.get(id=1)
    assert (anna.name, anna.banned) == ("Anna", False)
    assert (await Contact.get(id=2)).merged_into_id is None

    status, html = await browser.post("/admin/contacts/2", {"company": "Globex"})
    assert status == 200 and (await Contact.get(id=2)).company == "Globex"
    entry = await AuditEntry.get(action="contact.updated")
    assert (entry.actor_name, entry.actor_id) == ("web:sam", petro.id)  # type: ignore[attr-defined]


async def test_operators_have_no_address_book_in_the_panel(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna", "Hello", username="anna_k")
    olga = await hire("default", "Olga", telegram=OLGA)
    await Conversation.filter(id=1).update(assignee=olga)
    await make_account("olga", role="operator", operator=olga)
    await browser.sign_in("olga")

    for path in ("/admin/contacts", "/admin/contacts/1", "/admin/contacts/1/merge?target=%231"):
        status, html = await browser.get(path)
        assert status == 403, path
    status, html = await browser.get("/admin/")
    assert 'href="/admin/contacts"' not in html
    for path in ("/admin/contacts/1", "/admin/contacts/1/ban", "/admin/contacts/1/merge"):
        status, _ = await browser.post(path, {"name": "Hacked", "target": "1"})
        assert status == 403, path
    anna = await Contact.get(id=1)
    assert (anna.name, anna.banned) == ("Anna", False)


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
