"""The address book in the admin panel: finding a customer, and their page with every
conversation on every channel — each role seeing only the contacts it may."""

from __future__ import annotations

import re

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
from tests.fakes.admin_data import (
    ANNA,
    BORIS,
    HOSTILE,
    OLGA,
    PETRO,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
)
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import customer_writes as _writes
from tests.fakes.admin_data import customer_writes_again as _again
from tests.fakes.admin_data import olga_closes as _olga_closes
from tests.fakes.desk import Desk
from tests.fakes.staff import hire


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


# -- finding ------------------------------------------------------------------------------


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


# -- the contact page ---------------------------------------------------------------------


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


# -- who may see --------------------------------------------------------------------------


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
