"""Operators answer with quick replies: /q by name, by a few words, or from a list of buttons."""

from __future__ import annotations

from typing import Any

from storage.models import Conversation, Line, Operator, QuickReply
from tests.fakes.desk import OPERATOR_CHAT, Desk

CUSTOMER = 5001
OLGA, PETRO = 1001, 1002


async def _open(desk: Desk, language: str = "en") -> int:
    """The customer writes first: that opens the conversation and its topic."""
    desk.fake.add_user(CUSTOMER, "Ivan", language_code=language)
    desk.fake.user_sends(CUSTOMER, "Help")
    await desk.settle()
    return desk.topic_of("Ivan")["message_thread_id"]


async def _quick(name: str, scope: str = "global", **fields: Any) -> QuickReply:
    fields.setdefault("texts", {"en": f"The {name} answer."})
    return await QuickReply.create(name=name, scope=scope, **fields)


async def _olga_types(desk: Desk, thread: int, text: str) -> dict[str, Any]:
    sent = desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)
    await desk.settle()
    return sent


def _customer_texts(desk: Desk) -> list[str]:
    return [m.get("text", "") for m in desk.customer_sees(CUSTOMER)]


def _last_in_topic(desk: Desk) -> dict[str, Any]:
    return desk.topic_messages("Ivan")[-1]


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    """Label -> callback data of a card's buttons."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def _reactions(desk: Desk, message: dict[str, Any]) -> list[str]:
    return [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, message["message_id"])]


def _alerts(desk: Desk) -> list[str]:
    return [params.get("text", "") for params in desk.fake.calls_to("answerCallbackQuery")]


async def test_operator_sends_a_quick_reply_by_name_and_the_customer_gets_it_with_their_name_filled_in(  # noqa: E501
    desk: Desk,
) -> None:
    thread = await _open(desk)
    reply = await _quick(
        "hello",
        texts={"en": "Hi {customer_name}, {operator_name} here (#{conversation_number}). {sic}"},
    )
    command = await _olga_types(desk, thread, "/q Hello")

    assert _customer_texts(desk) == ["Hi Ivan, Olga here (#1). {sic}"]
    assert _reactions(desk, command) == ["👍"]
    await reply.refresh_from_db()
    assert reply.usage_count == 1


async def test_the_customer_gets_the_russian_text_when_they_write_in_russian(desk: Desk) -> None:
    thread = await _open(desk, language="ru")
    await _quick("thanks", texts={"en": "Thank you!", "ru": "Спасибо!", "uk": "Дякуємо!"})
    await _olga_types(desk, thread, "!q thanks")

    assert _customer_texts(desk) == ["Спасибо!"]


async def test_without_a_text_in_their_language_the_customer_gets_the_one_there_is(
    desk: Desk,
) -> None:
    thread = await _open(desk, language="uk")
    await _quick("thanks", texts={"ru": "Спасибо!"})
    await _olga_types(desk, thread, "/q thanks")

    assert _customer_texts(desk) == ["Спасибо!"]


async def test_q_lists_the_replies_as_buttons_and_pressing_one_sends_it(desk: Desk) -> None:
    thread = await _open(desk)
    await _quick("hello", texts={"en": "Hello, {customer_name}!"})
    await _quick("bye")
    await _olga_types(desk, thread, "/q")
    card = _last_in_topic(desk)

    assert card["text"] == "Quick replies"
    assert list(_buttons(card)) == ["bye", "hello"]
    assert _customer_texts(desk) == []

    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, _buttons(card)["hello"])
    await desk.settle()

    assert _customer_texts(desk) == ["Hello, Ivan!"]
    assert _alerts(desk) == ["Sent quick reply «hello»."]


async def test_a_long_list_shows_the_most_used_and_says_how_to_find_the_rest(desk: Desk) -> None:
    thread = await _open(desk)
    for number in range(14):
        await _quick(f"reply{number:02}", usage_count=number)
    await _olga_types(desk, thread, "/q")
    card = _last_in_topic(desk)

    assert len(_buttons(card)) == 12
    assert list(_buttons(card))[:2] == ["reply13", "reply12"]
    assert "/q words" in card["text"]
    rows = card["reply_markup"]["inline_keyboard"]
    assert [len(row) for row in rows] == [2] * 6


async def test_a_personal_reply_of_another_operator_is_not_offered(desk: Desk) -> None:
    thread = await _open(desk)
    petro = await Operator.create(name="Petro", telegram_user_id=PETRO)
    secret = await _quick("secret", scope="personal", operator=petro)
    await _quick("hello")
    await _olga_types(desk, thread, "/q")
    card = _last_in_topic(desk)

    assert list(_buttons(card)) == ["hello"]

    await _olga_types(desk, thread, "/q secret")
    assert "No quick reply matches «secret»" in _last_in_topic(desk)["text"]

    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, f"rd:q:1:{secret.id}")
    await desk.settle()
    assert _alerts(desk) == ["This quick reply is no longer available."]
    assert _customer_texts(desk) == []


async def test_own_and_line_replies_stand_in_for_the_global_one_of_the_same_name(
    desk: Desk,
) -> None:
    thread = await _open(desk)
    line = await Line.get(workspace_chat=str(OPERATOR_CHAT))
    other_line = await Line.create(
        slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1009"
    )
    await _quick("hello", texts={"en": "Hello from the desk."})
    await _quick("hello", scope="line", line=line, texts={"en": "Hello from support."})
    await _quick("bye", scope="line", line=other_line, texts={"en": "Bye from sales."})
    await _olga_types(desk, thread, "/q")

    assert list(_buttons(_last_in_topic(desk))) == ["hello"]

    await _olga_types(desk, thread, "/q hello")
    olga = await Operator.get(telegram_user_id=OLGA)
    await _quick("HELLO", scope="personal", operator=olga, texts={"en": "Hello, Olga speaking."})
    await _olga_types(desk, thread, "/q hello")

    assert _customer_texts(desk) == ["Hello from support.", "Hello, Olga speaking."]


async def test_q_with_words_sends_the_only_match_and_offers_a_choice_between_several(
    desk: Desk,
) -> None:
    thread = await _open(desk)
    await _quick("refund", texts={"en": "Refunds take five business days."})
    await _quick("delivery", texts={"en": "Delivery takes two business days."})
    await _olga_types(desk, thread, "/q FIVE days")

    assert _customer_texts(desk) == ["Refunds take five business days."]

    await _olga_types(desk, thread, "/q business days")
    card = _last_in_topic(desk)

    assert card["text"] == "Quick replies matching «business days»"
    assert sorted(_buttons(card)) == ["delivery", "refund"]
    assert len(_customer_texts(desk)) == 1


async def test_q_with_words_that_match_nothing_says_so_and_sends_nothing(desk: Desk) -> None:
    thread = await _open(desk)
    await _quick("hello")
    await _olga_types(desk, thread, "/q warranty")

    assert _last_in_topic(desk)["text"] == "No quick reply matches «warranty»."
    assert _customer_texts(desk) == []


async def test_q_without_any_quick_replies_says_how_to_add_them(desk: Desk) -> None:
    thread = await _open(desk)
    await _olga_types(desk, thread, "/q")

    text = _last_in_topic(desk)["text"]
    assert "admin panel" in text and "relaydesk import" in text
    assert "reply_markup" not in _last_in_topic(desk)


async def test_q_in_a_closed_conversation_sends_nothing(desk: Desk) -> None:
    thread = await _open(desk)
    reply = await _quick("hello")
    await _olga_types(desk, thread, "/q")
    card = _last_in_topic(desk)
    await _olga_types(desk, thread, "/close solved")
    assert (await Conversation.get(id=1)).status == "closed"
    seen = _customer_texts(desk)

    await _olga_types(desk, thread, "/q hello")
    assert "/reopen" in _last_in_topic(desk)["text"]

    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, _buttons(card)["hello"])
    await desk.settle()
    assert "closed" in _alerts(desk)[-1]

    assert _customer_texts(desk) == seen
    await reply.refresh_from_db()
    assert reply.usage_count == 0
