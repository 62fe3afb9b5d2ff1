"""Random values in the panel's query parameters, address ids and forms: whatever arrives, the
answer is a page or a refusal, never a 5xx.

The seed is fixed and the count small, so the normal suite stays quick and repeatable. A longer
run: `RELAYDESK_FUZZ_REQUESTS=5000 RELAYDESK_FUZZ_SEED=7 pytest tests/test_admin_query_fuzz.py`.
"""

from __future__ import annotations

import os
import random
import string
from urllib.parse import quote

from bot.rules.store import save_rule
from storage.models import Contact, Line, QuickReply
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import (
    ANNA,
    OLGA,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    olga_browser_fixture,  # noqa: F401 (the "olga_browser" fixture)
)
from tests.fakes.admin_data import boss_signed_in as _boss_signed_in
from tests.fakes.admin_data import customer_writes as _writes
from tests.fakes.desk import Desk
from tests.fakes.staff import hire

REQUESTS = int(os.environ.get("RELAYDESK_FUZZ_REQUESTS", "160"))
SEED = int(os.environ.get("RELAYDESK_FUZZ_SEED", "20261125"))

REPORT = ("period", "from", "to", "group", "line", "operator", "channel", "entry_point")
REPORT += ("topic", "status", "result", "page", "sort", "dir", "column", "columns_sent")
# Address -> the query parameters its page reads ({contact}, {line}, … are real ids; {id} random).
QUERIES: dict[str, tuple[str, ...]] = {
    "/admin/": ("x",),
    "/admin/conversations": (
        "status",
        "line",
        "operator",
        "channel",
        "entry_point",
        "topic",
        "from",
        "to",
        "q",
        "page",
    ),
    "/admin/conversations/{id}": (),
    "/admin/reports": REPORT,
    "/admin/reports/export.csv": (*REPORT, "sep"),
    "/admin/contacts": ("q", "page"),
    "/admin/contacts/{contact}": ("merged", "done"),
    "/admin/contacts/{id}": (),
    "/admin/contacts/{contact}/merge": ("target",),
    "/admin/lines": (),
    "/admin/channels": ("saved",),
    "/admin/lines/{line}": ("saved",),
    "/admin/lines/{id}": (),
    "/admin/operators/{operator}": ("saved", "signed"),
    "/admin/operators/{id}": (),
    "/admin/quick-replies": ("q", "scope", "line", "deleted"),
    "/admin/quick-replies/{reply}": ("saved",),
    "/admin/quick-replies/{id}": (),
    "/admin/rules": ("done",),
    "/admin/rules/new": ("kind",),
    "/admin/rules/{rule}": ("saved",),
    "/admin/rules/{id}": (),
    "/admin/rules/{rule}/delete": (),
    "/admin/rules/templates": ("template",),
    "/admin/rules/dry-run": (),
    "/admin/audit": ("action", "actor", "page"),
    "/admin/settings": ("saved",),
    "/admin/account": ("saved",),
    "/admin/login": ("next", "lang"),
}
RULE_FORM = ("name", "kind", "match", "c0_name", "c0_key", "c0_value", "a0_name", "a0_value")
RULE_FORM += ("add_condition", "remove", "redraw")
# Address -> the fields of its form.
FORMS: dict[str, tuple[str, ...]] = {
    "/admin/contacts/{contact}": ("name", "phone", "email", "company", "tags", "notes"),
    "/admin/contacts/{contact}/merge": ("target",),
    "/admin/lines/{line}/members": ("operator_id", "account"),
    "/admin/operators/new": ("name", "telegram_user_id", "telegram_username", "capacity"),
    "/admin/lines/new": ("slug", "name", "workspace", "auto_close_minutes", "topics", "day_mon"),
    "/admin/quick-replies": ("name", "scope", "line", "operator", "text_en"),
    "/admin/quick-replies/preview": ("text",),
    "/admin/channels/api": ("slug", "name", "line", "webhook_url"),
    "/admin/channels/webchat": ("slug", "name", "line", "origin", "title", "color", "position"),
    "/admin/rules": RULE_FORM,
    "/admin/rules/{rule}": (*RULE_FORM, "save"),
    "/admin/rules/{rule}/move": ("direction",),
    "/admin/rules/{rule}/enabled": ("enabled",),
    "/admin/rules/templates": ("template", "line", "operator"),
    "/admin/rules/dry-run": ("text", "at", "channel", "entry_point", "line", "tags", "earlier")
    + ("conversation", "first_message"),
}
ODD_DIGITS = "²³¹١٢٣߀０１９"  # digits of other scripts and superscripts
UNICODE = "жЖїЇ漢字😀\u0301\u200f\u202eÅﬀİß\ufeff" + ODD_DIGITS


def _number(rng: random.Random) -> str:
    digits = "".join(rng.choices(string.digits, k=rng.choice([1, 9, 10, 11, 19, 20, 25, 400])))
    return rng.choice(["", "-", "+", " "]) + digits


def _text(rng: random.Random) -> str:
    alphabet = rng.choice([string.ascii_letters, string.printable, UNICODE, "#@:%&=+;'\"<>\\/"])
    return "".join(rng.choices(alphabet, k=rng.choice([0, 1, 16, 17, 65, 129, 257, 1500])))


def value(rng: random.Random) -> str:
    """One odd value: empty, a number of any size and sign, a long or foreign text, a date
    out of range, an id with a prefix."""
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice(["", " ", "0", "-1", "\x00", "null", "NaN", "1e309"])
    if kind in (1, 2):
        return _number(rng)
    if kind == 3:
        return rng.choice(["#", "@", "telegram:", "slack:", "webchat:"]) + rng.choice(
            [_number(rng), _text(rng)]
        )
    if kind == 4:
        return f"{rng.randint(0, 99999):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
    if kind == 5:
        return rng.choice(ODD_DIGITS) * rng.randint(1, 12)
    return _text(rng)


def _request(rng: random.Random, ids: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    """(method, path, query or form)."""
    if rng.random() < 0.75:
        path, names = rng.choice(list(QUERIES.items()))
        method = "GET"
    else:
        path, names = rng.choice(list(FORMS.items()))
        method = "POST"
    chosen = rng.sample(names, k=rng.randint(0, len(names))) if names else []
    if rng.random() < 0.2:
        chosen.append("".join(rng.choices(string.ascii_letters, k=8)))  # one no page reads
    params = {name: value(rng) for name in chosen}
    return method, path.format(**ids, id=quote(value(rng), safe="") or "0"), params


async def _fuzz(browser: PanelClient, ids: dict[str, str], rng: random.Random) -> list[str]:
    failures = []
    for number in range(REQUESTS):
        method, url, params = _request(rng, ids)
        if method == "GET":
            status, html = await browser.get(url, params=params, allow_redirects=False)
        else:
            await browser.get("/admin/account")  # a fresh CSRF token, whatever came before
            status, html = await browser.post(url, params, allow_redirects=False)
        if status >= 500 or "Traceback" in html:
            failures.append(f"#{number} {method} {url} {params!r:.300} -> {status}")
    return failures


async def _desk(desk: Desk, browser: PanelClient, olga_browser: PanelClient) -> dict[str, str]:
    """A contact with a conversation, a supervisor of the default line, a quick reply; the
    boss and the supervisor signed in."""
    await _writes(desk, ANNA, "Anna", "Hello")
    olga = await hire("default", "Olga", telegram=OLGA)
    await make_account("olga", "supervisor", operator=olga)
    await olga_browser.sign_in("olga")
    await _boss_signed_in(browser)
    reply = await QuickReply.create(name="hello", texts={"en": "Hello!"})
    rule, _change = await save_rule(
        {"kind": "incoming", "name": "Prices", "conditions": [{"text_contains": "price"}]}
        | {"actions": [{"reply": "See example.com"}]}
    )
    return {
        "rule": str(rule.id),
        "contact": str((await Contact.get(name="Anna")).id),
        "line": str((await Line.get(slug="default")).id),
        "operator": str(olga.id),
        "reply": str(reply.id),
    }


async def test_random_values_in_the_panel_never_get_a_server_error(
    desk: Desk, browser: PanelClient, olga_browser: PanelClient
) -> None:
    ids = await _desk(desk, browser, olga_browser)
    rng = random.Random(SEED)
    failures = await _fuzz(browser, ids, rng)
    failures += await _fuzz(olga_browser, ids, rng)
    assert not failures, f"seed {SEED}:\n" + "\n".join(failures)
    status, _ = await browser.get("/admin/")  # and the panel still works afterwards
    assert status == 200
