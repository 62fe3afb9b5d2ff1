"""Suggested answers: when a customer asks, the team sees the quick replies and earlier
answers that match as buttons, and pressing one sends it to the customer as the operator."""

from __future__ import annotations

from typing import Any

from storage.models import Conversation, Line, QuickReply
from tests.conftest import SLACK_CHANNEL
from tests.fakes.desk import OPERATOR_CHAT, Desk

CUSTOMER = 5001
OLGA, STRANGER = 1001, 6666
SLACK_OLGA = "U0OLGA"
TITLE = "Suggested answers for #"

REPLIES = {
    "refund": {
        "en": "To get a refund, send us the order number; the money is back in 5-10 days.",
        "ru": "Чтобы оформить возврат денег, пришлите номер заказа.",
        "uk": "Щоб оформити повернення коштів, надішліть номер замовлення.",
    },
    "delivery": {
        "en": "Orders are shipped within 2 days; delivery takes a week.",
        "ru": "Доставка занимает около недели.",
        "uk": "Доставка триває близько тижня.",
    },
    "password": {
        "en": "Press Forgot password on the sign-in page to reset your password.",
        "ru": "Чтобы сбросить пароль, нажмите «Забыли пароль» на странице входа.",
        "uk": "Щоб скинути пароль, натисніть «Забули пароль» на сторінці входу.",
    },
}


async def _team_answers(desk: Desk, *, on: bool = True) -> None:
    for name, texts in REPLIES.items():
        await QuickReply.create(name=name, scope="global", texts=texts)
    await Line.all().update(suggestions=on)
    await desk.core.suggestions.refresh()


def _asks(desk: Desk, text: str, language: str = "en") -> None:
    if CUSTOMER not in desk.fake.users:
        desk.fake.add_user(CUSTOMER, "Ivan", language_code=language)
    desk.fake.user_sends(CUSTOMER, text)


def _cards(desk: Desk) -> list[dict[str, Any]]:
    return [m for m in desk.topic_messages("Ivan") if m.get("text", "").startswith(TITLE)]


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def _customer_texts(desk: Desk) -> list[str]:
    return [m.get("text", "") for m in desk.customer_sees(CUSTOMER)]


def _alerts(desk: Desk) -> list[str]:
    return [params.get("text", "") for params in desk.fake.calls_to("answerCallbackQuery")]


async def test_customer_asks_about_a_refund_and_pressing_the_first_suggestion_sends_it(
    desk: Desk,
) -> None:
    await _team_answers(desk)
    _asks(desk, "Hello! How can I get my money back? I want a refund for the order")
    await desk.settle()

    (card,) = _cards(desk)
    assert list(_buttons(card))[0] == "refund"
    assert "send us the order number" in card["text"]  # the text is shown before it is sent
    assert _customer_texts(desk) == []

    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, _buttons(card)["refund"])
    await desk.settle()

    assert _customer_texts(desk) == [REPLIES["refund"]["en"]]
    assert _alerts(desk) == ["Sent quick reply «refund»."]


async def test_a_burst_of_texts_gets_one_card_and_a_new_question_after_an_answer_another(
    desk: Desk,
) -> None:
    await _team_answers(desk)
    _asks(desk, "I need a refund")
    await desk.settle()
    _asks(desk, "refund please, the money for my order")
    await desk.settle()
    assert len(_cards(desk)) == 1

    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "Looking into it", thread_id=thread)
    await desk.settle()
    _asks(desk, "And how do I reset my password?")
    await desk.settle()

    cards = _cards(desk)
    assert len(cards) == 2
    assert list(_buttons(cards[-1]))[0] == "password"


async def test_a_line_with_suggestions_off_sees_none(desk: Desk) -> None:
    await _team_answers(desk, on=False)
    _asks(desk, "I want a refund for my order")
    await desk.settle()

    assert _cards(desk) == []
    assert desk.topic_messages("Ivan")  # the customer's text is there all the same


async def test_a_question_that_matches_nothing_shows_no_card(desk: Desk) -> None:
    await _team_answers(desk)
    _asks(desk, "Good morning")
    await desk.settle()

    assert _cards(desk) == []


async def test_someone_outside_the_line_pressing_a_suggestion_is_refused_in_words(
    desk: Desk,
) -> None:
    await _team_answers(desk)
    _asks(desk, "refund for my order please")
    await desk.settle()
    (card,) = _cards(desk)
    desk.fake.add_user(STRANGER, "Mallory")
    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], STRANGER, _buttons(card)["refund"])
    await desk.settle()

    assert _alerts(desk) == ["Only operators of this line can do that."]
    assert _customer_texts(desk) == []


async def test_a_russian_question_matches_the_russian_reply(desk: Desk) -> None:
    await _team_answers(desk)
    _asks(desk, "Здравствуйте, как вернуть деньги? Хочу оформить возврат", language="ru")
    await desk.settle()

    (card,) = _cards(desk)
    assert list(_buttons(card))[0] == "refund"
    assert "пришлите номер заказа" in card["text"]
    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, _buttons(card)["refund"])
    await desk.settle()
    assert _customer_texts(desk) == [REPLIES["refund"]["ru"]]


async def test_a_ukrainian_question_matches_the_ukrainian_reply(desk: Desk) -> None:
    await _team_answers(desk)
    _asks(desk, "Вітаю! Забув пароль, як його скинути?", language="uk")
    await desk.settle()

    (card,) = _cards(desk)
    assert list(_buttons(card))[0] == "password"
    assert "Забули пароль" in card["text"]


async def test_an_earlier_answer_of_an_operator_is_suggested_and_sent_again(desk: Desk) -> None:
    await Line.all().update(suggestions=True)
    _asks(desk, "Can I pick up my order at your warehouse in Lviv?")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    answer = "Yes, the Lviv warehouse hands out orders from 10 to 19, bring your ID."
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, answer, thread_id=thread)
    await desk.settle()
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()
    assert await Conversation.filter(status="closed").count() == 1
    await desk.core.suggestions.refresh()

    _asks(desk, "hi, is pickup from the Lviv warehouse possible?")
    await desk.settle()

    card = _cards(desk)[-1]
    (label,) = _buttons(card)
    assert "An earlier answer" in card["text"]
    desk.fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, _buttons(card)[label])
    await desk.settle()
    assert _customer_texts(desk)[-1] == answer


async def test_in_slack_the_assignee_alone_sees_the_suggestions_and_can_send_one(
    slack_desk: Desk, fake_slack: Any
) -> None:
    await _team_answers(slack_desk)
    slack_desk.fake.add_user(CUSTOMER, "Ivan")
    slack_desk.fake.user_sends(CUSTOMER, "Hi")
    await slack_desk.settle()
    (parent,) = fake_slack.messages(SLACK_CHANNEL)
    events = f"{slack_desk.url}/slack/events"
    await fake_slack.press_button(
        events, SLACK_CHANNEL, parent["ts"], SLACK_OLGA, "rd_take", "rd:take:1"
    )
    await slack_desk.settle()

    slack_desk.fake.user_sends(CUSTOMER, "where is my delivery? when will the order be shipped")
    await slack_desk.settle()

    (card,) = [m for m in fake_slack.ephemerals(SLACK_OLGA) if TITLE in m.get("text", "")]
    assert card["thread_ts"] == parent["ts"]
    assert not any(
        TITLE in m.get("text", "") for m in fake_slack.messages(SLACK_CHANNEL, parent["ts"])
    )
    values = [e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    press = fake_slack.block_actions(SLACK_CHANNEL, parent["ts"], SLACK_OLGA, "rd_q", values[0])
    del press["message"]  # a press on an ephemeral message carries only its container
    press["container"] = {
        "type": "message",
        "message_ts": card["ts"],
        "channel_id": SLACK_CHANNEL,
        "is_ephemeral": True,
        "thread_ts": parent["ts"],
    }
    await fake_slack.deliver(events, *fake_slack.signed_payload(press))
    await slack_desk.settle()

    assert [m["text"] for m in slack_desk.customer_sees(CUSTOMER)][-1] == REPLIES["delivery"]["en"]
