"""Operators take, close, reopen and note with commands and buttons; the topic shows it."""

from __future__ import annotations

from storage.models import AuditEntry, Conversation, Operator, OperatorStatus
from tests.fakes.desk import OPERATOR_CHAT, Desk

CUSTOMER = 5001
OLGA, PETRO = 1001, 1002
STRANGER = 9009


async def _open(desk: Desk, language: str = "en") -> int:
    desk.fake.add_user(CUSTOMER, "Ivan", language_code=language)
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    return desk.topic_of("Ivan")["message_thread_id"]


def _card(desk: Desk) -> dict:
    return desk.topic_messages("Ivan")[0]


def _buttons(message: dict) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


def _alerts(desk: Desk) -> list[str]:
    return [
        params.get("text", "")
        for method, params in desk.fake.calls
        if method == "answerCallbackQuery"
    ]


async def test_take_button_assigns_and_the_card_and_title_show_it(desk: Desk) -> None:
    await _open(desk)
    card = _card(desk)
    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, "rd:take:1")
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    assert "Olga" in _card(desk)["text"]
    assert _alerts(desk) == ["You took conversation #1."]


async def test_typed_commands_work_with_slash_and_bang(desk: Desk) -> None:
    thread = await _open(desk)
    take = desk.fake.member_sends(OPERATOR_CHAT, OLGA, "!take", thread_id=thread)
    await desk.settle()
    assert [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, take["message_id"])] == ["👍"]

    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close@relaydesk_bot solved", thread_id=thread)
    await desk.settle()
    assert desk.topic_of("Ivan")["name"] == "✅ Ivan #1 · Olga"
    assert _buttons(_card(desk)) == ["Reopen"]
    assert "closed" in desk.customer_sees(CUSTOMER)[-2]["text"]


async def test_customer_gets_the_closing_message_in_their_language(desk: Desk) -> None:
    thread = await _open(desk, language="uk")
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()

    closing, rating = desk.customer_sees(CUSTOMER)[-2:]
    assert "закрито" in closing["text"]
    assert "оціните" in rating["text"]


async def test_writing_after_close_opens_a_new_conversation_in_the_same_topic(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()
    desk.fake.user_sends(CUSTOMER, "One more question")
    await desk.settle()

    assert len([t for t in desk.fake.topics(OPERATOR_CHAT) if not t["is_deleted"]]) == 1
    # Olga, the only operator the desk knows and free, gets the new conversation at once.
    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #2 · Olga"
    texts = [m.get("text", "") for m in desk.topic_messages("Ivan")]
    assert any("New conversation #2" in t for t in texts)
    assert any("Conversation #2" in t for t in texts)
    assert texts[-1] == "One more question"


async def test_reopen_brings_a_closed_conversation_back(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()
    desk.fake.press_button(OPERATOR_CHAT, _card(desk)["message_id"], PETRO, "rd:reopen:1")
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "💬 Ivan #1 · Olga"
    assert _buttons(_card(desk)) == ["Take", "Transfer", "Close"]


async def test_notes_stay_inside(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "// he called yesterday too", thread_id=thread)
    note = desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/note VIP customer", thread_id=thread)
    await desk.settle()

    assert desk.customer_sees(CUSTOMER) == []
    assert [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, note["message_id"])] == ["👍"]


async def test_writing_into_a_closed_conversation_is_refused_in_plain_words(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()
    late = desk.fake.member_sends(OPERATOR_CHAT, OLGA, "Also, one more thing", thread_id=thread)
    await desk.settle()

    assert [m.get("text") for m in desk.customer_sees(CUSTOMER)][-1] != "Also, one more thing"
    assert [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, late["message_id"])] == ["👎"]
    assert "/reopen" in desk.topic_messages("Ivan")[-1]["text"]


async def test_unknown_command_gets_a_plain_answer(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/frobnicate", thread_id=thread)
    await desk.settle()

    assert "Unknown command /frobnicate" in desk.topic_messages("Ivan")[-1]["text"]
    assert desk.customer_sees(CUSTOMER) == []


async def test_help_lists_the_commands(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/help", thread_id=thread)
    await desk.settle()

    text = desk.topic_messages("Ivan")[-1]["text"]
    for name in ("/take", "/close", "/reopen", "/note", "/help", "//"):
        assert name in text


async def test_a_stranger_pressing_a_button_changes_nothing(desk: Desk) -> None:
    await _open(desk)
    desk.fake.add_user(STRANGER, "Mallory")
    desk.fake.press_button(OPERATOR_CHAT, _card(desk)["message_id"], STRANGER, "rd:close:1")
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "🆕 Ivan #1"
    assert _alerts(desk) == ["Only operators of this line can do that."]


async def test_a_forged_button_is_refused(desk: Desk) -> None:
    await _open(desk)
    desk.fake.press_button(OPERATOR_CHAT, _card(desk)["message_id"], OLGA, "rd:close:abc")
    await desk.settle()

    assert desk.topic_of("Ivan")["name"] == "🆕 Ivan #1"
    assert _alerts(desk) == ["This button is no longer valid."]


async def test_other_bots_and_service_messages_are_never_relayed(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.add_user(7777, "OtherBot", is_bot=True)
    desk.fake.chats[OPERATOR_CHAT].members[7777] = "member"
    desk.fake.member_sends(OPERATOR_CHAT, 7777, "I am a bot", thread_id=thread)
    await desk.settle()

    assert desk.customer_sees(CUSTOMER) == []


async def test_a_non_member_writing_in_a_topic_is_ignored(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.add_user(STRANGER, "Mallory")
    message = desk.fake.member_sends(OPERATOR_CHAT, OLGA, "placeholder", thread_id=thread)
    await desk.settle()
    forged = message | {
        "message_id": message["message_id"] + 1000,
        "from": {"id": STRANGER, "is_bot": False, "first_name": "Mallory"},
        "text": "send this to the customer",
    }
    desk.fake.queue_raw_update({"message": forged})
    await desk.settle()

    assert "send this to the customer" not in [m.get("text") for m in desk.customer_sees(CUSTOMER)]


async def test_the_groups_command_menu_offers_the_commands_in_each_language(desk: Desk) -> None:
    menus = {p.get("language_code"): p for p in desk.fake.calls_to("setMyCommands")}

    assert [c["command"] for c in menus[None]["commands"]][:4] == [
        "take",
        "close",
        "transfer",
        "snooze",
    ]
    assert menus["ru"]["commands"][0]["description"] == "взять обращение себе"
    assert menus[None]["scope"] == {"type": "chat", "chat_id": OPERATOR_CHAT}


async def test_on_a_marked_line_only_explicit_replies_reach_the_customer(desk: Desk) -> None:
    from storage.models import Line

    thread = await _open(desk)
    await Line.all().update(reply_mode="marked")
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "between us: he is rude", thread_id=thread)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "!reply Hello, how can I help?", thread_id=thread)
    await desk.settle()

    assert [m["text"] for m in desk.customer_sees(CUSTOMER)] == ["Hello, how can I help?"]


async def test_each_of_a_burst_of_answers_gets_its_own_receipt(desk: Desk) -> None:
    thread = await _open(desk)
    answers = [
        desk.fake.member_sends(OPERATOR_CHAT, OLGA, f"Answer {n}", thread_id=thread)
        for n in range(6)
    ]
    await desk.settle()

    assert [m["text"] for m in desk.customer_sees(CUSTOMER)[-6:]] == [
        f"Answer {n}" for n in range(6)
    ]
    for answer in answers:  # receipts go several at a time, one reaction each
        reactions = desk.fake.reactions(OPERATOR_CHAT, answer["message_id"])
        assert [r["emoji"] for r in reactions] == ["👍"]


async def test_a_receipt_telegram_refuses_does_not_hold_back_the_others(desk: Desk) -> None:
    thread = await _open(desk)
    desk.expect_dead_deliveries()
    # A 429 first, so that the receipts queue up and go together after it.
    desk.fake.fail_next("setMessageReaction", status=429, retry_after=1)
    desk.fake.fail_next(
        "setMessageReaction", status=400, description="Bad Request: message to react not found"
    )
    answers = [
        desk.fake.member_sends(OPERATOR_CHAT, OLGA, f"Answer {n}", thread_id=thread)
        for n in range(6)
    ]
    await desk.settle()

    assert [m["text"] for m in desk.customer_sees(CUSTOMER)[-6:]] == [
        f"Answer {n}" for n in range(6)
    ]
    marked = [desk.fake.reactions(OPERATOR_CHAT, a["message_id"]) for a in answers]
    assert sum(1 for reactions in marked if reactions) == 5  # all but the refused one


async def test_closing_a_conversation_nobody_had_makes_the_closer_its_assignee_on_record(
    desk: Desk,
) -> None:
    await Operator.all().update(status=OperatorStatus.BUSY)  # nobody free: it stays queued
    thread = await _open(desk)
    assert (await Conversation.get()).assignee_id is None
    desk.fake.member_sends(OPERATOR_CHAT, PETRO, "/close spam", thread_id=thread)
    await desk.settle()

    conversation = await Conversation.get()
    petro = await Operator.get(telegram_user_id=PETRO)
    assert conversation.assignee_id == petro.id  # type: ignore[attr-defined]
    trail = (
        await AuditEntry.filter(conversation=conversation)
        .order_by("id")
        .values_list("action", "old_value", "new_value", "details")
    )
    assert trail[-2:] == [
        ("assignee", None, "Petro", {"via": "close"}),
        ("status", "queued", "closed", {"result": "spam"}),
    ]
