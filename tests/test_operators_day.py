"""An operator's day in one Telegram line: statuses, routing, the queue, snooze, auto-close,
closing with a topic and a result, and the customer's rating."""

from __future__ import annotations

from typing import Any

from bot.directory.business_hours import DAYS
from storage.models import AuditEntry, Conversation, Operator
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import configure, hire

OLGA, PETRO, MARIA = 1001, 1002, 1003
IVAN, ANNA, OLEH = 5001, 5002, 5003


async def _staff(desk: Desk, **statuses: str) -> dict[str, Operator]:
    """Olga, Petro and Maria in the default line, each with a capacity of one."""
    people = {"olga": OLGA, "petro": PETRO, "maria": MARIA}
    return {
        name: await hire("default", name.title(), telegram=people[name], status=status, capacity=1)
        for name, status in statuses.items()
    }


async def _customer_writes(desk: Desk, user_id: int, name: str, text: str) -> None:
    if user_id not in desk.fake.users:
        desk.fake.add_user(user_id, name)
    desk.fake.user_sends(user_id, text)
    await desk.settle()


def _say(desk: Desk, who: int, text: str, customer: str | None = None) -> dict[str, Any]:
    thread = desk.topic_of(customer)["message_thread_id"] if customer else None
    return desk.fake.member_sends(OPERATOR_CHAT, who, text, thread_id=thread)


def _texts(desk: Desk, customer: str) -> list[str]:
    return [m.get("text", "") for m in desk.topic_messages(customer)]


def _general(desk: Desk) -> list[dict[str, Any]]:
    return [m for m in desk.fake.chat_messages(OPERATOR_CHAT) if not m.get("message_thread_id")]


def _card(desk: Desk, customer: str) -> dict[str, Any]:
    return [m for m in desk.topic_messages(customer) if "reply_markup" in m][0]


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = message["reply_markup"]["inline_keyboard"]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_conversations_go_to_free_operators_and_wait_in_the_queue_when_none_is_free(
    desk: Desk,
) -> None:
    await _staff(desk, olga="free", petro="busy", maria="dnd")

    await _customer_writes(desk, IVAN, "Ivan", "My parcel is late")
    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    assert "Assignee: Olga" in _card(desk, "Ivan")["text"]

    # Olga is full (capacity 1), Petro is busy for new ones, Maria does not want anything.
    await _customer_writes(desk, ANNA, "Anna", "Can I pay by card?")
    assert desk.topic_of("Anna")["name"] == "🆕 Anna #2"

    _say(desk, PETRO, "/queue")
    await desk.settle()
    queue = _general(desk)[-1]
    assert "Waiting: 1" in queue["text"] and "#2 Anna" in queue["text"]
    assert _buttons(queue) == [("Take #2", "rd:take:2")]

    _say(desk, PETRO, "/status free")
    await desk.settle()
    assert desk.topic_of("Anna")["name"] == "💬 Anna #2 · Petro"
    assert "Petro: free. Open conversations: 1 of 1." in _general(desk)[-1]["text"]


async def test_next_takes_the_conversation_that_waited_longest(desk: Desk) -> None:
    await configure("default", routing_policy="manual")
    await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "First")
    desk.clock.advance(minutes=5)
    await _customer_writes(desk, ANNA, "Anna", "Second")
    assert desk.topic_of("Ivan")["name"] == "🆕 Ivan #1"  # manual: the queue only

    _say(desk, OLGA, "/next")
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    assert desk.topic_of("Anna")["name"] == "🆕 Anna #2"
    assert "You took conversation #1 (Ivan, waited 5 min)" in _general(desk)[-1]["text"]


async def test_least_busy_gives_the_new_conversation_to_whoever_has_fewest(desk: Desk) -> None:
    await configure("default", routing_policy="least_busy")
    await hire("default", "Olga", telegram=OLGA, capacity=3)
    await hire("default", "Petro", telegram=PETRO, capacity=3)
    for user_id, name in ((IVAN, "Ivan"), (ANNA, "Anna"), (OLEH, "Oleh")):
        await _customer_writes(desk, user_id, name, "Hello")

    names = sorted(t["name"].split(" · ")[1] for t in desk.fake.topics(OPERATOR_CHAT))
    assert names == ["Olga", "Olga", "Petro"] or names == ["Olga", "Petro", "Petro"]


async def test_two_new_customers_at_once_go_to_two_operators_with_room_for_one_each(
    desk: Desk,
) -> None:
    """Routings of one line still take turns when someone is free to choose: two first
    messages handled side by side do not both pick the same operator."""
    await configure("default", routing_policy="least_busy")
    await _staff(desk, olga="free", petro="free")
    for user_id, name in ((IVAN, "Ivan"), (ANNA, "Anna")):
        desk.fake.add_user(user_id, name)
        desk.fake.user_sends(user_id, "Hello")
    await desk.settle()

    names = sorted(t["name"].split(" · ")[1] for t in desk.fake.topics(OPERATOR_CHAT))
    assert names == ["Olga", "Petro"]


async def test_a_dnd_assignees_conversation_goes_back_to_the_queue_when_the_customer_writes(
    desk: Desk,
) -> None:
    staff = await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    _say(desk, OLGA, "/status dnd")
    await _staff(desk, petro="free")
    await desk.settle()

    await _customer_writes(desk, IVAN, "Ivan", "Anybody there?")

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Petro"
    assert any("Olga does not want to be disturbed" in t for t in _texts(desk, "Ivan"))
    changes = (
        await AuditEntry.filter(action="assignee")
        .order_by("id")
        .values_list("old_value", "new_value", "details")
    )
    assert [(old, new) for old, new, _ in changes] == [
        (None, "Olga"),
        ("Olga", None),
        (None, "Petro"),
    ]
    assert await Operator.get(id=staff["olga"].id).values_list("status", flat=True) == "dnd"


async def test_replying_in_an_unassigned_topic_assigns_it_to_the_replier(desk: Desk) -> None:
    await _customer_writes(desk, IVAN, "Ivan", "Hello")  # nobody known yet: it waits
    assert desk.topic_of("Ivan")["name"] == "🆕 Ivan #1"

    _say(desk, PETRO, "Good afternoon!", "Ivan")
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Petro"


async def test_snooze_hides_the_conversation_until_its_time_comes(desk: Desk) -> None:
    await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "Call me back in two hours")
    _say(desk, OLGA, "/snooze 2h", "Ivan")
    await desk.settle()
    assert desk.topic_of("Ivan")["name"] == "💤 Ivan #1 · Olga"
    assert "snoozed until" in _card(desk, "Ivan")["text"]

    desk.clock.advance(hours=1)
    await desk.core.scheduler.tick()
    await desk.settle()
    assert desk.topic_of("Ivan")["name"].startswith("💤")

    desk.clock.advance(hours=1, minutes=1)
    await desk.core.scheduler.tick()
    await desk.settle()
    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    assert "The snooze is over: conversation #1 is back." in _texts(desk, "Ivan")


async def test_a_customers_message_ends_the_snooze_early(desk: Desk) -> None:
    await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    _say(desk, OLGA, "/snooze tomorrow 10:00", "Ivan")
    await desk.settle()

    await _customer_writes(desk, IVAN, "Ivan", "Actually, it is urgent")

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    assert any("no longer snoozed" in t for t in _texts(desk, "Ivan"))


async def test_an_answered_conversation_closes_itself_when_the_customer_goes_quiet(
    desk: Desk,
) -> None:
    await configure("default", auto_close_minutes=60, closing_message="Bye! Write any time.")
    await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "Where is my order?")
    _say(desk, OLGA, "It arrives tomorrow.", "Ivan")
    await desk.settle()

    desk.clock.advance(minutes=61)
    await desk.core.scheduler.tick()
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "✅ Ivan #1 · Olga"
    assert any("Closed automatically" in t for t in _texts(desk, "Ivan"))
    seen = [m["text"] for m in desk.customer_sees(IVAN)]
    assert seen[-2:] == ["Bye! Write any time.", "How would you rate our help with request #1?"]
    assert (await Conversation.get(id=1)).result == "auto"


async def test_an_unanswered_conversation_does_not_close_itself(desk: Desk) -> None:
    await configure("default", auto_close_minutes=60)
    await _customer_writes(desk, IVAN, "Ivan", "Hello?")
    desk.clock.advance(hours=5)
    await desk.core.scheduler.tick()
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "🆕 Ivan #1"


async def test_close_asks_for_the_topic_and_the_result_with_buttons(desk: Desk) -> None:
    await configure("default", topics=["Delivery", "Payment"])
    await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "Where is my order?")

    _say(desk, OLGA, "/close", "Ivan")
    await desk.settle()
    question = [m for m in desk.topic_messages("Ivan") if "reply_markup" in m][-1]
    assert "Choose the topic of conversation #1" in question["text"]
    assert _buttons(question) == [("Delivery", "rd:topic:1:0"), ("Payment", "rd:topic:1:1")]

    desk.fake.press_button(OPERATOR_CHAT, question["message_id"], OLGA, "rd:topic:1:0")
    await desk.settle()
    question = [m for m in desk.topic_messages("Ivan") if "reply_markup" in m][-1]
    assert "How did conversation #1 end?" in question["text"]
    assert [label for label, _ in _buttons(question)] == ["solved", "not solved", "spam"]
    assert desk.topic_of("Ivan")["name"].startswith("💬")  # nothing closed yet

    desk.fake.press_button(OPERATOR_CHAT, question["message_id"], OLGA, "rd:result:1:solved")
    await desk.settle()
    assert desk.topic_of("Ivan")["name"] == "✅ Ivan #1 · Olga"
    card = _card(desk, "Ivan")["text"]
    assert "Topic: Delivery" in card and "Result: solved" in card
    topics = await AuditEntry.filter(action="topic").values_list("new_value", flat=True)
    assert topics == ["Delivery"]


async def test_the_customer_rates_with_a_button_and_adds_a_comment(desk: Desk) -> None:
    await _staff(desk, olga="free")
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    _say(desk, OLGA, "/close solved", "Ivan")
    await desk.settle()
    question = desk.customer_sees(IVAN)[-1]
    assert [label for label, _ in _buttons(question)] == [f"{n} ★" for n in range(1, 6)]

    desk.fake.press_button(IVAN, question["message_id"], IVAN, "rd:csat:1:5")
    await desk.settle()
    await _customer_writes(desk, IVAN, "Ivan", "Quick and kind, thanks!")

    texts = _texts(desk, "Ivan")
    assert "The customer rated conversation #1: ★★★★★ 5/5" in texts
    assert "The customer's comment on conversation #1: Quick and kind, thanks!" in texts
    assert "Rating: ★★★★★ 5/5" in _card(desk, "Ivan")["text"]
    conversation = await Conversation.get(id=1)
    assert (conversation.csat_score, conversation.csat_comment) == (5, "Quick and kind, thanks!")
    assert await Conversation.all().count() == 1  # the comment opened nothing new

    desk.fake.press_button(IVAN, question["message_id"], IVAN, "rd:csat:1:1")
    await desk.settle()
    assert (await Conversation.get(id=1)).csat_score == 5  # one rating per conversation


async def test_a_number_reply_is_a_rating_too(desk: Desk) -> None:
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    _say(desk, OLGA, "/close solved", "Ivan")
    await desk.settle()

    await _customer_writes(desk, IVAN, "Ivan", "4")

    assert (await Conversation.get(id=1)).csat_score == 4
    assert await Conversation.all().count() == 1


async def test_out_of_hours_the_customer_gets_the_lines_answer(desk: Desk) -> None:
    closed_all_week = {"timezone": "Europe/Kyiv", "days": dict.fromkeys(DAYS)}
    await configure("default", business_hours=closed_all_week)
    await _customer_writes(desk, IVAN, "Ivan", "Hello")

    assert "out of office hours" in desk.customer_sees(IVAN)[-1]["text"]


async def test_an_idle_operator_becomes_away_and_free_again_when_back(desk: Desk) -> None:
    await _staff(desk, olga="free")
    _say(desk, OLGA, "/status")
    await desk.settle()

    desk.clock.advance(minutes=31)
    await desk.core.scheduler.tick()
    assert (await Operator.get(telegram_user_id=OLGA)).status == "away"

    _say(desk, OLGA, "/status")
    await desk.settle()
    assert (await Operator.get(telegram_user_id=OLGA)).status == "free"


async def test_refusals_answer_in_plain_words_and_change_nothing(desk: Desk) -> None:
    await _staff(desk, olga="free", petro="busy")
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    before = desk.topic_of("Ivan")["name"]

    for command in (
        "/transfer @petro",
        "/transfer nowhere",
        "/transfer default",
        "/transfer @olga",
        "/transfer sales last x",
        "/snooze someday",
        "/status sleepy",
        "/topic Delivery",
        "/result maybe",
    ):
        _say(desk, OLGA, command, "Ivan")
    await desk.settle()

    said = _texts(desk, "Ivan")
    for expected in (
        "Petro is not free (busy): only free colleagues take transfers.",
        "No operator or line nowhere. Usage: /transfer",
        "The conversation is already in line Default line.",
        "You cannot transfer a conversation to yourself.",
        "After «last» comes a number",
        "When? For example: /snooze 2h",
        "Unknown status sleepy.",
        "This line has no topic dictionary.",
        "Choose one of the results:",
    ):
        assert any(expected in t for t in said), expected
    assert desk.topic_of("Ivan")["name"] == before
    assert await AuditEntry.filter(action__in=["assignee", "line", "topic"]).count() == 1


async def test_numbers_no_row_can_have_are_refused_like_any_wrong_argument(desk: Desk) -> None:
    await _staff(desk, olga="free", petro="free")
    await _customer_writes(desk, IVAN, "Ivan", "Hello")
    before = desk.topic_of("Ivan")["name"]
    huge = "9" * 25
    for command in (
        f"/transfer op:{huge}",
        f"/transfer line:{huge}",
        f"/transfer default last {huge}",
    ):
        _say(desk, OLGA, command, "Ivan")
    card = _card(desk, "Ivan")
    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, f"rd:take:{huge}")
    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, "rd:topic:1:" + huge)
    await desk.settle()

    said = _texts(desk, "Ivan")
    assert sum("No operator or line" in t for t in said) == 2
    assert desk.topic_of("Ivan")["name"] == before
    assert await AuditEntry.filter(action__in=["assignee", "line", "topic"]).count() == 1
