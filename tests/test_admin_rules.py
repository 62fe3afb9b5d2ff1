"""The rules editor of the admin panel: the two lists, the form and the templates — every
change checked by the core, audited, and used by the running desk at once. The dry run is in
test_admin_rules_dry_run.py."""

from __future__ import annotations

from storage.models import AuditEntry, Line, Operator, Rule, RuleKind
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import CUSTOMER as IVAN
from tests.fakes.admin_data import (
    OLGA,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    seen_words,
)
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import customer_writes as _writes
from tests.fakes.admin_data import supervisor_signed_in as _supervisor
from tests.fakes.desk import Desk
from tests.fakes.rules import add_rule, calls_line
from tests.fakes.staff import hire


def _rule_form(name: str, kind: str = "incoming", **rows: str) -> dict[str, str]:
    """`c0_name="event", c0_value="new_conversation", a0_name="reply", …`"""
    return {"name": name, "kind": kind, "match": "all", "enabled": "on"} | rows


PRICES = _rule_form(
    "Prices",
    c0_name="event",
    c0_value="new_conversation",
    c1_name="text_contains",
    c1_value="price, cost",
    a0_name="reply",
    a0_value="Our prices are at example.com/prices.",
    save="1",
)


async def _incoming(desk: Desk) -> list[str]:
    return [r.name for r in desk.core.rules.book.rules(RuleKind.INCOMING)]


# --- making and changing rules ------------------------------------------------------------------


async def test_a_rule_saved_in_the_form_answers_the_next_customer_at_once(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    await browser.get("/admin/rules/new?kind=incoming")

    status, page = await browser.post("/admin/rules", PRICES)

    assert status == 200 and "The rule was saved. The desk uses it now." in page
    rule = await Rule.get(name="Prices")
    assert (rule.kind, rule.conditions, rule.actions, rule.stop) == (
        RuleKind.INCOMING,
        [{"event": "new_conversation"}, {"text_contains": ["price", "cost"]}],
        [{"reply": "Our prices are at example.com/prices."}],
        False,
    )
    assert await _incoming(desk) == ["Prices"]
    await _writes(desk, IVAN, "Ivan", "What is the price of a sofa?")
    assert [m["text"] for m in desk.customer_sees(IVAN)] == [
        "Our prices are at example.com/prices."
    ]
    entry = await AuditEntry.get(action="rule.created")
    assert (entry.actor_name, entry.new_value) == ("web:boss", "Prices")

    status, page = await browser.get("/admin/rules")
    seen = seen_words(page)
    assert "Rules for incoming messages" in seen and "Prices" in seen
    assert "Text contains (commas between alternatives): price, cost" in seen


async def test_rows_are_added_and_fitted_to_their_name_without_javascript_and_nothing_is_saved(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    await browser.get("/admin/rules/new")
    form = _rule_form("Draft", c0_name="event", c0_value="new_conversation")

    status, page = await browser.post("/admin/rules", form | {"add_condition": "1"})
    assert status == 200 and 'name="c1_name"' in page and 'name="c1_value"' not in page

    form |= {"c1_name": "line", "a0_name": "notify_line"}
    status, page = await browser.post("/admin/rules", form | {"redraw": "1"})
    assert status == 200
    assert '<select name="c1_value" multiple' in page  # lines to pick from
    assert '<option value="default"' in page
    assert '<select name="a0_value"' in page

    status, page = await browser.post(
        "/admin/rules", form | {"kind": "changed", "c0_name": "", "redraw": "1"}
    )
    assert 'value="operator_message"' not in page  # no event row any more
    assert 'value="author_in_line"' in page and 'value="first_message"' not in page

    retyped = form | {"c1_name": "text_matches", "c1_was": "line", "c1_value": "default"}
    status, page = await browser.post("/admin/rules", retyped | {"redraw": "1"})
    assert 'name="c1_value" value=""' in page  # a line's pick is no pattern

    status, page = await browser.post("/admin/rules", form | {"remove": "c1"})
    assert 'name="c1_name"' not in page and 'name="c0_name"' in page
    assert await Rule.all().count() == 0


async def test_refusals_stand_next_to_their_row_in_plain_words_and_nothing_is_saved(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    await browser.get("/admin/rules/new")

    bad_regex = PRICES | {"c1_name": "text_matches", "c1_value": "(price"}
    status, page = await browser.post("/admin/rules", bad_regex)
    assert status == 400
    assert 'id="c1-error"' in page
    assert "'(price' is not a valid regular expression" in seen_words(page)
    assert 'value="(price"' in page  # what was typed is kept

    runaway = PRICES | {"c1_name": "text_matches", "c1_value": "(a+)+$"}
    status, page = await browser.post("/admin/rules", runaway)
    assert status == 400 and "a repeat inside a repeat, like (a+)+, can run for ever" in page

    await Line.create(slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1")
    tell_sales = PRICES | {"a1_name": "notify_line", "a1_value": "sales"}
    await Line.filter(slug="sales").delete()  # deleted while the form was open
    status, page = await browser.post("/admin/rules", tell_sales)
    assert status == 400 and 'id="a1-error"' in page
    assert "there is no line 'sales'" in seen_words(page)

    no_action = PRICES | {"a0_name": ""}
    status, page = await browser.post("/admin/rules", no_action)
    assert status == 400 and "a rule needs at least one action" in page
    assert await Rule.all().count() == 0 and await _incoming(desk) == []

    await browser.post("/admin/rules", PRICES)
    status, page = await browser.post("/admin/rules", PRICES | {"a0_value": "Other"})
    assert status == 400 and "there is already a rule with this name in this list" in page
    assert [r.actions for r in await Rule.all()] == [
        [{"reply": "Our prices are at example.com/prices."}]
    ]


async def test_a_refusal_is_said_in_the_readers_language(desk: Desk, browser: PanelClient) -> None:
    await make_account("bos", language="ru")
    await browser.sign_in("bos")
    await browser.get("/admin/rules/new")
    status, page = await browser.post(
        "/admin/rules", PRICES | {"c1_name": "text_matches", "c1_value": "(a+)+"}
    )
    assert status == 400
    assert "повтор внутри повтора, как (a+)+, может работать бесконечно" in page
    assert "Сохранить правило" in page


async def test_an_admin_edits_reorders_disables_and_deletes_rules_all_audited(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    for name in ("First", "Second", "Third"):
        await add_rule(desk, kind="incoming", name=name, actions=[{"note": name}])
    first, _second, third = await Rule.all().order_by("position")

    status, page = await browser.get(f"/admin/rules/{first.id}")
    assert status == 200 and 'value="First"' in page
    edited = _rule_form("First, renamed", a0_name="note", a0_value="Renamed", stop="on")
    status, page = await browser.post(f"/admin/rules/{first.id}", edited | {"save": "1"})
    assert status == 200 and "The rule was saved" in page
    await first.refresh_from_db()
    assert (first.name, first.actions, first.stop) == (
        "First, renamed",
        [{"note": "Renamed"}],
        True,
    )

    await browser.get("/admin/rules")
    status, page = await browser.post(f"/admin/rules/{third.id}/move", {"direction": "up"})
    assert status == 200 and "The order was changed" in page
    assert await _incoming(desk) == ["First, renamed", "Third", "Second"]
    await browser.post(f"/admin/rules/{first.id}/move", {"direction": "up"})  # already first
    assert await _incoming(desk) == ["First, renamed", "Third", "Second"]

    status, page = await browser.post(f"/admin/rules/{third.id}/enabled", {"enabled": "0"})
    assert status == 200 and "The rule was disabled." in page
    assert await _incoming(desk) == ["First, renamed", "Second"]

    status, page = await browser.get(f"/admin/rules/{third.id}/delete")
    assert status == 200 and "Delete the rule «Third»?" in seen_words(page)
    assert await Rule.exists(id=third.id)  # asking is not deleting
    status, page = await browser.post(f"/admin/rules/{third.id}/delete")
    assert status == 200 and "The rule was deleted." in page
    assert not await Rule.exists(id=third.id)

    entries = await AuditEntry.filter(action__startswith="rule.").order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("rule.created", "cli"),
        ("rule.created", "cli"),
        ("rule.created", "cli"),
        ("rule.updated", "web:boss"),
        ("rule.moved", "web:boss"),
        ("rule.disabled", "web:boss"),
        ("rule.removed", "web:boss"),
    ]
    assert (entries[4].old_value, entries[4].new_value) == ("3", "2")


async def test_a_template_asks_for_its_blanks_and_becomes_a_rule(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    await calls_line()
    olga = await hire("default", "Olga", telegram=OLGA)
    status, page = await browser.get("/admin/rules/templates")
    assert status == 200 and "A calls operator reopens a closed chat" in page

    chosen = {"template": "calls_operator_became_assignee", "line": "", "operator": ""}
    status, page = await browser.post("/admin/rules/templates", chosen)
    assert status == 400
    assert "Choose the line of the operators who seldom work in chats." in page
    assert "Choose the chat operator who takes over." in page

    chosen |= {"line": "calls", "operator": str(olga.id)}
    status, page = await browser.post("/admin/rules/templates", chosen)
    assert status == 200 and "The rule was saved" in page
    rule = await Rule.get(kind=RuleKind.CHANGED)
    assert rule.conditions[1] == {"assignee": {"in_line": "calls"}}
    assert rule.actions == [{"assign": str(olga.id)}, {"wait": True}]
    assert [r.name for r in desk.core.rules.book.rules(RuleKind.CHANGED)] == [rule.name]

    status, page = await browser.post("/admin/rules/templates", chosen)
    assert status == 400 and "there is already a rule with this name" in page


async def test_a_webhook_is_refused_at_a_private_address_and_its_secret_is_never_shown(
    desk: Desk, browser: PanelClient
) -> None:
    await _admin(browser)
    secret = "whsec_panel_0123456789"
    hook = PRICES | {"a0_name": "webhook", "a0_value": "http://10.1.2.3/hook", "a0_key": secret}
    status, page = await browser.post("/admin/rules", hook)
    assert status == 400 and 'id="a0-error"' in page
    assert "10.1.2.3 is a private or loopback address" in seen_words(page)
    assert secret not in page and await Rule.all().count() == 0

    public = hook | {"a0_value": "https://hooks.example.com/crm"}
    await browser.post("/admin/rules", public)
    rule = await Rule.get(name="Prices")
    assert rule.actions == [{"webhook": {"url": "https://hooks.example.com/crm", "secret": secret}}]
    status, page = await browser.get(f"/admin/rules/{rule.id}")
    assert "https://hooks.example.com/crm" in page and secret not in page
    status, page = await browser.get("/admin/rules")
    assert "https://hooks.example.com/crm" in page and secret not in page

    # Saved again with the secret left empty: the stored one is kept.
    keep = public | {"a0_key": "", "a0_was": "webhook", "save": "1"}
    await browser.post(f"/admin/rules/{rule.id}", keep)
    await rule.refresh_from_db()
    assert rule.actions[0]["webhook"]["secret"] == secret


# --- who may ------------------------------------------------------------------------------------


async def test_supervisors_read_the_rules_and_operators_do_not_see_them(
    desk: Desk, browser: PanelClient
) -> None:
    rule = await add_rule(desk, kind="incoming", name="Prices", actions=[{"note": "prices"}])
    await _supervisor(browser)

    status, page = await browser.get("/admin/rules")
    assert status == 200 and "Prices" in page and "New rule" not in page
    status, page = await browser.get(f"/admin/rules/{rule.id}")
    assert status == 200 and '<fieldset class="plain" disabled>' in page
    assert "you can read this one" in page
    assert (await browser.get("/admin/rules/dry-run"))[0] == 200
    for path, form in (
        ("/admin/rules", PRICES | {"name": "Mine"}),
        (f"/admin/rules/{rule.id}", PRICES),
        (f"/admin/rules/{rule.id}/move", {"direction": "up"}),
        (f"/admin/rules/{rule.id}/enabled", {"enabled": "0"}),
        (f"/admin/rules/{rule.id}/delete", {}),
        ("/admin/rules/templates", {"template": "keep_reactivated_with_chat_assignee"}),
    ):
        assert (await browser.post(path, form))[0] == 403, path
    assert (await browser.get("/admin/rules/new"))[0] == 403
    assert [(r.name, r.enabled) for r in await Rule.all()] == [("Prices", True)]

    petro = await Operator.create(name="Petro", telegram_user_id=1002)
    await make_account("petro", role="operator", operator=petro)
    operator = PanelClient(desk.url)
    try:
        await operator.sign_in("petro")
        assert (await operator.get("/admin/rules"))[0] == 403
        assert (await operator.get("/admin/rules/dry-run"))[0] == 403
    finally:
        await operator.close()


async def test_a_form_without_its_csrf_token_changes_no_rule(
    desk: Desk, browser: PanelClient
) -> None:
    rule = await add_rule(desk, kind="incoming", name="Prices", actions=[{"note": "prices"}])
    await _admin(browser)
    await browser.get("/admin/rules")
    for path, form in (
        ("/admin/rules", PRICES | {"name": "Mine"}),
        (f"/admin/rules/{rule.id}", PRICES | {"name": "Renamed"}),
        (f"/admin/rules/{rule.id}/enabled", {"enabled": "0"}),
        (f"/admin/rules/{rule.id}/delete", {}),
    ):
        status, page = await browser.post(path, form, csrf=False)
        assert status == 403 and "form has expired" in page, path
    assert [(r.name, r.enabled) for r in await Rule.all()] == [("Prices", True)]
