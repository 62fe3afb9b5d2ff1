"""Odd values typed into the admin panel — a long name, a 25-digit number, a page of digits, a
digit of another script, a negative page — get a plain answer: a message next to the field, an
empty list or "there is no such page". Never a 500, never a traceback."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pytest
from tortoise import Tortoise

from storage.models import AdminAccount, Contact, Line, Operator, QuickReply
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.admin_data import (
    ANNA,
    OLGA,
    as_seen,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    line_form,
    olga_browser_fixture,  # noqa: F401 (the "olga_browser" fixture)
    reply_form,
)
from tests.fakes.admin_data import boss_signed_in as _boss_signed_in
from tests.fakes.admin_data import customer_writes as _writes
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

HUGE = "9" * 25  # past any column: SQLite and PostgreSQL refuse to compare it
NEGATIVE = "-" + HUGE
DIGITS_PAGE = "1" * 5000  # int() itself refuses a string this long
OTHER_DIGIT = "²"  # "²".isdigit() is true, int("²") fails
LONG_NAME = "Anna Karenina-Vronskaya"  # longer than a channel's 16 characters
LONG_PHONE = "+380 (50) 111-22-33 ext. 4"
LONG = "ж" * 300  # longer than any short column
NUMBERS = (HUGE, NEGATIVE, "-1", "0", DIGITS_PAGE, OTHER_DIGIT, "", "abc", "1e9", " 7 ")

NO_PAGE = "There is no such page."
NO_CONTACTS = "No contacts found."
NO_CONVERSATIONS = "No conversations match."
WHOLE_NUMBER = "Write a whole number from"
TOO_LONG = "at most 256 characters"


@dataclass(frozen=True)
class Case:
    """One request: a GET with `query`, or a POST of `form` (the page's own token added)."""

    what: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    shows: str = ""  # what the person reads on the answer


def _pages(path: str, shows: str = "") -> list[Case]:
    return [Case(f"{path} page={v!r:.20}", path, {"page": v}, shows=shows) for v in NUMBERS]


def _ids(path: str, form: dict[str, str] | None = None) -> list[Case]:
    """An id in the address ({id}) that no row can have."""
    return [Case(f"{path} id=25 digits", path, form=form, shows=NO_PAGE)]


OPERATOR_FORM = {
    "name": "Nadia",
    "telegram_user_id": "2001",
    "telegram_username": "",
    "slack_user_id": "",
    "role": "operator",
    "capacity": "5",
    "status": "free",
    "language": "en",
}


def _operator_form(**changes: str) -> dict[str, str]:
    return OPERATOR_FORM | changes


CASES: list[Case] = [
    # the address book
    Case("search a long name", "/admin/contacts", {"q": LONG_NAME}, shows=NO_CONTACTS),
    Case("search a long phone", "/admin/contacts", {"q": LONG_PHONE}, shows=NO_CONTACTS),
    Case("search #25 digits", "/admin/contacts", {"q": "#" + HUGE}, shows=NO_CONTACTS),
    Case("search 25 digits", "/admin/contacts", {"q": HUGE}, shows=NO_CONTACTS),
    Case("search a long text", "/admin/contacts", {"q": LONG}, shows=NO_CONTACTS),
    Case("search @long", "/admin/contacts", {"q": "@" + LONG}, shows=NO_CONTACTS),
    Case("search #²", "/admin/contacts", {"q": "#" + OTHER_DIGIT}, shows=NO_CONTACTS),
    *_pages("/admin/contacts"),
    *_ids("/admin/contacts/{id}"),
    Case("contact merged=huge", "/admin/contacts/{contact}", {"merged": HUGE, "done": LONG}),
    # editing a contact
    Case("contact name", "/admin/contacts/{contact}", form={"name": "N" * 257}, shows=TOO_LONG),
    Case("contact company", "/admin/contacts/{contact}", form={"company": LONG}, shows=TOO_LONG),
    Case("contact email", "/admin/contacts/{contact}", form={"email": LONG}, shows="at most"),
    Case("contact notes", "/admin/contacts/{contact}", form={"notes": LONG * 4}, shows="at most"),
    Case("contact tags", "/admin/contacts/{contact}", form={"tags": LONG}, shows="at most 32"),
    Case(
        "contact phone 25 digits",
        "/admin/contacts/{contact}",
        form={"phone": HUGE},
        shows="does not look like a phone number",
    ),
    Case("ban reason", "/admin/contacts/{contact}/ban", form={"reason": LONG}, shows=TOO_LONG),
    # merging
    *[
        Case(
            f"merge target={target!r:.20}",
            "/admin/contacts/{contact}/merge",
            {"target": target},
            shows="No contact matches",
        )
        for target in ("#" + HUGE, HUGE, LONG, "@" + LONG, LONG_PHONE, "#" + OTHER_DIGIT)
    ],
    *[
        Case(f"merge into {target!r:.20}", "/admin/contacts/{contact}/merge", form={"target": t})
        for target in NUMBERS
        for t in [target]
    ],
    # conversations
    Case("channel filter", "/admin/conversations", {"channel": "t" * 17}, shows=NO_CONVERSATIONS),
    Case("topic filter", "/admin/conversations", {"topic": "t" * 129}, shows=NO_CONVERSATIONS),
    Case("status filter", "/admin/conversations", {"status": LONG}),
    Case("text filter", "/admin/conversations", {"q": LONG}, shows=NO_CONVERSATIONS),
    *[
        Case(f"{name}={value!r:.20}", "/admin/conversations", {name: value})
        for name in ("line", "operator", "entry_point")
        for value in NUMBERS
    ],
    *[
        Case(f"{name}={value}", "/admin/conversations", {name: value})
        for name in ("from", "to")
        for value in ("0001-01-01", "9999-12-31", "2026-02-30", LONG, HUGE)
    ],
    *_pages("/admin/conversations"),
    *_ids("/admin/conversations/{id}"),
    # lines and their members
    *_ids("/admin/lines/{id}"),
    *[
        Case(
            f"line {name}={value!r:.20}",
            path,
            form=line_form(**{name: value}),
            shows=shows,
        )
        for path in ("/admin/lines/new", "/admin/lines/{line}")
        for name, value, shows in (
            ("auto_close_minutes", HUGE, WHOLE_NUMBER),
            ("auto_close_minutes", str(2**31 - 1), WHOLE_NUMBER),
            ("auto_close_minutes", "-5", WHOLE_NUMBER),
            ("auto_close_minutes", OTHER_DIGIT, WHOLE_NUMBER),
            ("auto_close_minutes", DIGITS_PAGE, WHOLE_NUMBER),
            ("workspace", "telegram:" + HUGE, "telegram:<chat id>"),
            ("workspace", "telegram:" + NEGATIVE, "telegram:<chat id>"),
            ("workspace", "slack:C" + "A" * 100, "slack:<channel id>"),
            ("name", LONG, "at most 128 characters"),
            ("topics", LONG, "at most 128 characters"),
            ("day_mon", LONG, ""),
            ("timezone", LONG, ""),
            ("routing_policy", LONG, "must be one of"),
        )
        if not (path == "/admin/lines/{line}" and name == "slug")
    ],
    Case("line slug", "/admin/lines/new", form=line_form(slug="s" * 65), shows="lowercase"),
    *[
        Case(f"member account={account!r:.24}", "/admin/lines/{line}/members", form=form)
        for account in (
            "telegram:" + HUGE,
            HUGE,
            "@" + LONG,
            "slack:U" + "A" * 40,
            "telegram:" + OTHER_DIGIT,
            OTHER_DIGIT,
        )
        for form in [{"account": account}]
    ],
    *[
        Case(f"member operator_id={value!r:.20}", "/admin/lines/{line}/members", form=form)
        for value in NUMBERS
        for form in [{"operator_id": value}]
    ],
    Case("remove member huge", f"/admin/lines/{{line}}/members/{HUGE}/remove", form={}),
    # operators and their sign-ins
    *_ids("/admin/operators/{id}"),
    *[
        Case(f"operator {name}={value!r:.20}", path, form=_operator_form(**{name: value}), shows=s)
        for path in ("/admin/operators/new", "/admin/operators/{operator}")
        for name, value, s in (
            ("telegram_user_id", HUGE, WHOLE_NUMBER),
            ("telegram_user_id", str(2**63), WHOLE_NUMBER),
            ("telegram_user_id", NEGATIVE, WHOLE_NUMBER),
            ("telegram_user_id", OTHER_DIGIT, WHOLE_NUMBER),
            ("capacity", HUGE, WHOLE_NUMBER),
            ("capacity", str(2**31), WHOLE_NUMBER),
            ("capacity", "-1", WHOLE_NUMBER),
            ("capacity", DIGITS_PAGE, WHOLE_NUMBER),
            ("name", LONG, "at most 128 characters"),
            ("telegram_username", LONG, "is not valid"),
            ("slack_user_id", "U" + "A" * 40, "is not valid"),
            ("language", LONG, "must be one of"),
            ("role", LONG, "must be one of"),
            ("status", LONG, "must be one of"),
        )
    ],
    Case(
        "sign-in username",
        "/admin/operators/{operator}/accounts",
        form={"username": "u" * 65, "password": "p" * 12, "password_again": "p" * 12},
        shows="2 to 64",
    ),
    Case(
        "sign-in language",
        "/admin/operators/{operator}/accounts",
        form={
            "username": "nadia",
            "password": "p" * 12,
            "password_again": "p" * 12,
            "language": LONG,
        },
        shows="The language must be one of",
    ),
    *_ids("/admin/operators/{operator}/accounts/{id}/password", form={"password": "p" * 12}),
    # quick replies
    *_ids("/admin/quick-replies/{id}"),
    Case("replies q", "/admin/quick-replies", {"q": LONG, "scope": LONG, "line": HUGE}),
    *[Case(f"replies line={v!r:.20}", "/admin/quick-replies", {"line": v}) for v in NUMBERS],
    Case(
        "reply name",
        "/admin/quick-replies",
        form=reply_form("n" * 65, text_en="Hi"),
        shows="One word",
    ),
    Case("reply scope", "/admin/quick-replies", form=reply_form("hi", LONG, text_en="Hi")),
    *[
        Case(f"reply line={v!r:.20}", "/admin/quick-replies", form=reply_form("hi", "line", line=v))
        for v in NUMBERS
    ],
    *[
        Case(
            f"reply operator={v!r:.20}",
            "/admin/quick-replies",
            form=reply_form("hi", "personal", operator=v, text_en="Hi"),
        )
        for v in NUMBERS
    ],
    Case("reply preview", "/admin/quick-replies/preview", form={"text": LONG * 100}),
    # settings, the audit log, my account
    Case("note prefix", "/admin/settings", form={"note_prefix": LONG, "default_language": "en"}),
    Case(
        "default language", "/admin/settings", form={"note_prefix": "!", "default_language": LONG}
    ),
    Case(
        "audit filters", "/admin/audit", {"action": LONG, "actor": LONG}, shows="Nothing recorded"
    ),
    *_pages("/admin/audit"),
    Case("my language", "/admin/account/language", form={"language": LONG}, shows="must be one of"),
    Case(
        "my password",
        "/admin/account/password",
        form={"current_password": LONG, "password": LONG * 10, "password_again": LONG * 10},
    ),
    Case("account page", "/admin/account", {"saved": LONG}),
    Case("login next", "/admin/login", {"next": LONG, "lang": LONG}),
]


async def _a_desk_with_one_of_everything(desk: Desk, browser: PanelClient) -> dict[str, object]:
    """A contact with a conversation, an operator without a sign-in, a quick reply; the boss
    signed in. The ids go into the cases' addresses."""
    await _writes(desk, ANNA, "Anna", "Hello")
    olga = await hire("default", "Olga", telegram=OLGA)
    reply = await QuickReply.create(name="hello", texts={"en": "Hello!"})
    await _boss_signed_in(browser)
    return {
        "contact": (await Contact.get(name="Anna")).id,
        "line": (await Line.get(slug="default")).id,
        "operator": olga.id,
        "reply": reply.id,
        "id": HUGE,
    }


async def _answer(browser: PanelClient, case: Case, ids: dict[str, object]) -> tuple[int, str]:
    path = case.path.format(**ids)
    if case.form is None:
        return await browser.get(path, params=case.query)
    return await browser.post(path, case.form)


async def test_odd_values_in_every_form_and_filter_get_a_plain_answer(
    desk: Desk, browser: PanelClient
) -> None:
    ids = await _a_desk_with_one_of_everything(desk, browser)
    failures = []
    for case in CASES:
        status, html = await _answer(browser, case, ids)
        seen = as_seen(html)
        if status >= 500 or "Traceback" in html or (case.shows and case.shows not in seen):
            said = re.findall(r'role="alert">([^<]*)<', html) or [seen[-300:]]
            failures.append(f"{case.what}: {status} {said}")
    assert not failures, "\n".join(failures)
    # Nothing odd was saved on the way.
    assert await Operator.all().count() == 1
    assert await Line.all().count() == 1
    assert await QuickReply.all().count() == 1
    assert await AdminAccount.all().count() == 1
    assert (await Contact.get(id=ids["contact"])).name == "Anna"


async def test_a_supervisor_searching_a_long_name_or_phone_reads_no_contacts_found(
    desk: Desk, olga_browser: PanelClient
) -> None:
    await _writes(desk, ANNA, "Anna Karenina-Vronskaya", "Hello")
    olga = await hire("default", "Olga", telegram=OLGA)
    await make_account("olga", "supervisor", operator=olga)
    await olga_browser.sign_in("olga")

    status, html = await olga_browser.get("/admin/contacts", params={"q": LONG_NAME})
    assert status == 200 and "Anna Karenina-Vronskaya" in as_seen(html)
    status, html = await olga_browser.get("/admin/contacts", params={"q": LONG_PHONE})
    assert status == 200 and NO_CONTACTS in as_seen(html)


async def test_a_nul_character_is_refused_with_a_plain_page(
    desk: Desk, browser: PanelClient
) -> None:
    """PostgreSQL can neither store nor compare a text holding NUL; nobody types one."""
    await _boss_signed_in(browser)
    for path, params in (
        ("/admin/contacts", {"q": "An\x00na"}),
        ("/admin/conversations", {"q": "\x00"}),
        ("/admin/audit", {"actor": "boss\x00"}),
    ):
        status, html = await browser.get(path, params=params)
        assert status == 400 and "cannot read" in as_seen(html), path
    await browser.get("/admin/operators/new")
    status, html = await browser.post("/admin/operators/new", _operator_form(name="Na\x00dia"))
    assert status == 400 and "cannot read" in as_seen(html)
    assert not await Operator.exists(telegram_user_id=2001)


@pytest.mark.expect_errors  # the failure is provoked: its one log entry is the point
async def test_an_unexpected_failure_is_a_plain_page_and_one_log_entry(
    desk: Desk, browser: PanelClient, caplog
) -> None:
    await _boss_signed_in(browser)
    await Tortoise.get_connection("default").execute_script("DROP TABLE quick_reply")
    with caplog.at_level(logging.ERROR, logger="admin_web"):
        status, html = await browser.get("/admin/quick-replies")
    assert status == 500
    assert "Something went wrong on our side. It has been logged." in as_seen(html)
    assert "Traceback" not in html and "quick_reply" not in html
    logged = [r for r in caplog.records if r.name.startswith("admin_web")]
    assert len(logged) == 1 and logged[0].exc_info


async def test_signing_in_with_odd_values_is_a_plain_refusal_or_a_panel_page(
    desk: Desk, browser: PanelClient
) -> None:
    await make_account("boss")
    await browser.get("/admin/login", params={"next": LONG, "lang": LONG})
    status, html = await browser.post("/admin/login", {"username": LONG * 40, "password": LONG})
    assert status == 400 and "Wrong name or password." in as_seen(html)

    await browser.get("/admin/login")
    status, html = await browser.post(
        "/admin/login",
        {
            "username": "boss",
            "password": PASSWORD,
            "next": "/admin/contacts?q=" + LONG + "\r\nX: y",
        },
    )
    assert status == 200 and NO_CONTACTS in as_seen(html)
