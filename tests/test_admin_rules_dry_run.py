"""The rules editor's dry run: which incoming rules would fire for a sample message or a past
conversation, and what they would do — shown without writing anything."""

from __future__ import annotations

from storage.models import AuditEntry, Conversation, Delivery, Message
from tests.fakes.admin import PanelClient
from tests.fakes.admin_data import CUSTOMER as IVAN
from tests.fakes.admin_data import (
    ESCAPED,
    HOSTILE,
    OLGA,
    browser_fixture,  # noqa: F401 (the "browser" fixture)
    seen_words,
)
from tests.fakes.admin_data import boss_signed_in as _admin
from tests.fakes.admin_data import customer_writes as _writes
from tests.fakes.desk import Desk
from tests.fakes.rules import add_rule
from tests.fakes.staff import hire


async def _written() -> tuple[int, ...]:
    return (
        await Message.all().count(),
        await Delivery.all().count(),
        await AuditEntry.all().count(),
        await Conversation.all().count(),
    )


async def _three_rules(desk: Desk) -> None:
    await hire("default", "Olga", telegram=OLGA)
    await add_rule(
        desk,
        kind="incoming",
        name="VIP first",
        conditions=[{"event": "new_conversation"}, {"contact_tag": "vip"}],
        actions=[{"assign": f"telegram:{OLGA}"}],
        stop=True,
    )
    await add_rule(
        desk,
        kind="incoming",
        name="Prices",
        conditions=[{"text_matches": r"price|parcel"}],
        actions=[{"reply": "Prices: example.com"}, {"topic": "Prices"}],
    )
    await add_rule(
        desk, kind="incoming", name="Sleeping", enabled=False, actions=[{"note": "never"}]
    )


async def test_a_dry_run_of_a_sample_shows_the_rules_that_would_fire_and_does_nothing(
    desk: Desk, browser: PanelClient
) -> None:
    await _three_rules(desk)
    await _admin(browser)
    await browser.get("/admin/rules/dry-run")
    before = await _written()
    sample = {
        "text": f"What is the price? {HOSTILE}",
        "at": "2026-11-25T14:30",
        "channel": "telegram",
        "line": "default",
        "contact_name": "Ivan",
        "tags": "VIP, wholesale",
        "language": "en",
        "earlier": "0",
        "first_message": "on",
    }

    status, page = await browser.post("/admin/rules/dry-run", sample)

    seen = seen_words(page)
    assert status == 200
    assert "VIP first — fires" in seen
    assert "would assign it to Olga" in seen
    assert "Stop: the rules below are not checked for this message." in seen
    assert "Prices — not reached: a rule above stopped the list" in seen
    assert "Sleeping" not in seen  # disabled rules do not run
    assert ESCAPED in page and HOSTILE not in page

    status, page = await browser.post("/admin/rules/dry-run", sample | {"tags": ""})
    seen = seen_words(page)
    assert "VIP first — does not fire" in seen and "✗ Contact's tag" in seen
    assert "Prices — fires" in seen
    assert "would send the customer: Prices: example.com" in seen
    assert "would set the topic to Prices" in seen

    status, page = await browser.post("/admin/rules/dry-run", sample | {"text": "Hi", "tags": ""})
    assert "No rule would fire." in seen_words(page)

    status, page = await browser.post("/admin/rules/dry-run", sample | {"at": "25.11.2026"})
    assert status == 400 and "Write the time as 2026-11-25 14:30" in page
    assert await _written() == before


async def test_a_dry_run_replays_a_past_conversation_as_it_arrived(
    desk: Desk, browser: PanelClient
) -> None:
    await _writes(desk, IVAN, "Ivan", "Where is my parcel?")
    await _three_rules(desk)  # made after Ivan wrote: they never ran for him
    await _admin(browser)
    await browser.get("/admin/rules/dry-run")
    before = await _written()

    status, page = await browser.post("/admin/rules/dry-run", {"conversation": "#1"})

    seen = seen_words(page)
    assert status == 200 and "Conversation #1" in seen and "Where is my parcel?" in seen
    assert "VIP first — does not fire" in seen
    assert "Prices — fires" in seen and "would send the customer: Prices: example.com" in seen
    assert await _written() == before
    assert "Prices" not in [m["text"] for m in desk.customer_sees(IVAN)]

    status, page = await browser.post("/admin/rules/dry-run", {"conversation": "99"})
    assert status == 400 and "There is no conversation with this number that you can see." in page
