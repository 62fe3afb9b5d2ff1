"""Rules at work on a desk: what customers and operators see when rules act."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.directory.business_hours import DAYS
from storage.models import AuditEntry, Contact, Conversation, ConversationStatus, Line
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.rules import add_rule
from tests.fakes.staff import configure, hire

OLGA, PETRO = 1001, 1002
IVAN, ANNA = 5001, 5002
NINE_TO_SIX = {"timezone": "UTC", "days": dict.fromkeys(DAYS, "09:00-18:00")}


async def _customer_writes(desk: Desk, user_id: int, name: str, text: str) -> None:
    if user_id not in desk.fake.users:
        desk.fake.add_user(user_id, name)
    desk.fake.user_sends(user_id, text)
    await desk.settle()


def _texts(desk: Desk, customer: str) -> list[str]:
    return desk.topic_texts(customer)


async def test_out_of_hours_a_new_customer_gets_the_reply_and_waits_until_nine(
    desk: Desk,
) -> None:
    await configure("default", business_hours=NINE_TO_SIX)
    await hire("default", "Olga", telegram=OLGA)
    desk.clock.advance(seconds=_seconds_until(desk, hour=22))
    await add_rule(
        desk,
        kind="incoming",
        name="Night",
        conditions=[{"event": "new_conversation"}, {"business_hours": "outside"}],
        actions=[
            {"reply": "We are back at 9:00 and will answer first thing."},
            {"snooze": "opening"},
        ],
    )

    await _customer_writes(desk, IVAN, "Ivan", "Is my order on its way?")

    said = [m["text"] for m in desk.customer_sees(IVAN)]
    assert said == ["We are back at 9:00 and will answer first thing."]  # not the line's too
    conversation = await Conversation.get(id=1)
    assert conversation.status == ConversationStatus.SNOOZED
    assert conversation.assignee_id is None  # type: ignore[attr-defined]
    assert conversation.snoozed_until.strftime("%H:%M") == "09:00"
    texts = _texts(desk, "Ivan")
    assert "Is my order on its way?" in texts
    assert any(t.startswith("Rule «Night»: snoozed until") for t in texts)
    entry = await AuditEntry.get(action="status", conversation_id=1)
    assert entry.details["rule"] == "Night" and entry.actor_name == "rule"


async def test_a_vip_customer_skips_the_queue(desk: Desk) -> None:
    await configure("default", routing_policy="manual")  # everyone else waits in the queue
    await hire("default", "Olga", telegram=OLGA)
    await hire("default", "Petro", telegram=PETRO)
    await add_rule(
        desk,
        kind="incoming",
        name="VIP first",
        conditions=[{"event": "new_conversation"}, {"contact_tag": "vip"}],
        actions=[{"assign": f"telegram:{PETRO}"}],
        stop=True,
    )
    await _customer_writes(desk, ANNA, "Anna", "Hello")  # not a VIP: queued
    desk.fake.add_user(IVAN, "Ivan")
    await _customer_writes(desk, IVAN, "Ivan", "First")
    await Contact.filter(name="Ivan").update(tags=["VIP"])
    await Conversation.filter(id=2).update(status="closed", open_key=None)

    await _customer_writes(desk, IVAN, "Ivan", "I need help now")

    vip = await Conversation.get(id=3)
    assert vip.assignee_id == (await _operator_id(PETRO))  # type: ignore[attr-defined]
    assert vip.status == ConversationStatus.OPEN
    assert (await Conversation.get(id=1)).status == ConversationStatus.QUEUED
    assert "Rule «VIP first»: assigned to Petro" in _texts(desk, "Ivan")


async def test_a_rule_naming_a_deleted_line_is_skipped_and_the_message_still_arrives(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    doomed = await Line.create(
        slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1007777"
    )
    await add_rule(
        desk,
        kind="incoming",
        name="Tell sales",
        conditions=[{"text_contains": "price"}],
        actions=[{"notify_line": "sales"}, {"note": "asked about prices"}],
    )
    await doomed.delete()
    await desk.core.rules.book.announce()

    await _customer_writes(desk, IVAN, "Ivan", "What is the price?")

    texts = _texts(desk, "Ivan")
    assert "What is the price?" in texts
    assert "Rule «Tell sales»: note: asked about prices" in texts
    assert "Rule 'Tell sales': action notify_line skipped: there is no line 'sales'" in caplog.text


async def test_rules_that_undo_each_other_are_cut_off_with_a_line_in_the_log(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    await hire("default", "Olga", telegram=OLGA)
    await hire("default", "Petro", telegram=PETRO)
    await add_rule(
        desk,
        kind="changed",
        name="Olga's to Petro",
        conditions=[{"event": "assignee"}, {"assignee": {"is": f"telegram:{OLGA}"}}],
        actions=[{"assign": f"telegram:{PETRO}"}],
    )
    await add_rule(
        desk,
        kind="changed",
        name="Petro's to Olga",
        conditions=[{"event": "assignee"}, {"assignee": {"is": f"telegram:{PETRO}"}}],
        actions=[{"assign": f"telegram:{OLGA}"}],
    )

    await _customer_writes(desk, IVAN, "Ivan", "Hello")

    assert "cut off after 5 runs for one event" in caplog.text
    assert (await Conversation.get(id=1)).status == ConversationStatus.OPEN
    assert "Hello" in _texts(desk, "Ivan")


async def test_with_no_rules_a_message_costs_no_rule_statement(desk: Desk) -> None:
    assert desk.core.rules.book.rules("incoming") == ()
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    assert "Hello" in _texts(desk, "Ivan")
    assert desk.topic_of("Ivan")["message_thread_id"]
    assert OPERATOR_CHAT


async def _operator_id(telegram: int) -> int:
    from storage.models import Operator

    return (await Operator.get(telegram_user_id=telegram)).id


def _seconds_until(desk: Desk, *, hour: int) -> float:
    now = desk.clock.now().astimezone(UTC)
    target = datetime(now.year, now.month, now.day, hour, tzinfo=UTC)
    seconds = (target - now).total_seconds()
    return seconds if seconds > 0 else seconds + 86400
