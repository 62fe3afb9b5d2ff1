"""The four ready-made rules from Omnidesk's article on support lines in chats, each as the
article tells it: operators who work on calls (Petro, also in the `calls` line) write to a
customer now and then; the chat team (Olga) takes the conversation over."""

from __future__ import annotations

from bot.rules.templates import fill
from storage.models import Conversation, ConversationStatus, LineMember, Operator
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.rules import add_rule, calls_line
from tests.fakes.staff import configure, hire

OLGA, PETRO = 1001, 1002
IVAN = 5001
BLANKS = {"calls_line": "calls", "chat_operator": f"telegram:{OLGA}"}


async def _team(desk: Desk, *templates: str) -> None:
    """Olga answers chats; Petro works on calls; new conversations wait in the queue."""
    await configure("default", routing_policy="manual")
    await hire("default", "Olga", telegram=OLGA)
    petro = await hire("default", "Petro", telegram=PETRO)
    await LineMember.create(line=await calls_line(), operator=petro)
    for template in templates:
        await add_rule(desk, **fill(template, **BLANKS))


async def _customer_writes(desk: Desk, text: str) -> None:
    if IVAN not in desk.fake.users:
        desk.fake.add_user(IVAN, "Ivan")
    desk.fake.user_sends(IVAN, text)
    await desk.settle()


async def _operator_says(desk: Desk, who: int, text: str) -> None:
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, who, text, thread_id=thread)
    await desk.settle()


async def _state(number: int = 1) -> tuple[str, str | None]:
    conversation = await Conversation.get(id=number)
    assignee = await Operator.get_or_none(id=conversation.assignee_id)  # type: ignore[attr-defined]
    return conversation.status.value, assignee.name if assignee else None


async def test_1_a_calls_operator_reopens_a_closed_chat_and_the_chat_team_gets_it(
    desk: Desk,
) -> None:
    await _team(desk, "calls_operator_reopens_closed")
    await _customer_writes(desk, "Please call me back")
    await _operator_says(desk, PETRO, "/take")
    await _operator_says(desk, PETRO, "/close solved")

    await _operator_says(desk, PETRO, "/reopen")
    await _operator_says(desk, PETRO, "I could not reach you by phone: the parcel is ready.")

    assert await _state() == ("open", "Olga")  # Petro is free to go back to his calls
    assert any("assigned to Olga" in t for t in desk.topic_texts("Ivan"))
    assert desk.customer_sees(IVAN)[-1]["text"].startswith("I could not reach you")
    await _customer_writes(desk, "Thanks, when can I pick it up?")
    assert await _state() == ("open", "Olga")  # the answer is Olga's to give


async def test_2_a_calls_operator_writes_into_an_open_chat_which_is_finished_for_the_chat_team(
    desk: Desk,
) -> None:
    await _team(desk, "calls_operator_writes_to_waiting")
    await _customer_writes(desk, "Please call me back")
    await _operator_says(desk, PETRO, "/take")

    await _operator_says(desk, PETRO, "Tried to call you: the parcel is ready.")

    assert await _state() == ("snoozed", "Olga")  # finished, waiting, and Olga's
    texts = desk.topic_texts("Ivan")
    assert any(t.endswith("assigned to Olga") for t in texts)
    assert any(t.endswith("finished: waiting for the customer to write") for t in texts)
    assert desk.customer_sees(IVAN)[-1]["text"] == "Tried to call you: the parcel is ready."
    # Without template 4 a chat the customer wakes is nobody's: it waits in the queue.
    await _customer_writes(desk, "Great, thanks")
    assert await _state() == ("queued", None)


async def test_3_a_calls_operator_answers_first_and_the_chat_team_gets_it(desk: Desk) -> None:
    await _team(desk, "calls_operator_became_assignee")
    await _customer_writes(desk, "Hello?")

    await _operator_says(desk, PETRO, "Hi! I am on the phone line, let me pass you on.")

    assert await _state() == ("snoozed", "Olga")
    assert desk.customer_sees(IVAN)[-1]["text"].startswith("Hi! I am on the phone line")


async def test_4_a_woken_chat_stays_with_its_chat_assignee(desk: Desk) -> None:
    await _team(desk, "calls_operator_became_assignee", "keep_reactivated_with_chat_assignee")
    await _customer_writes(desk, "Hello?")
    await _operator_says(desk, PETRO, "Hi! Let me pass you on.")
    assert await _state() == ("snoozed", "Olga")

    await _customer_writes(desk, "OK, waiting")

    assert await _state() == ("open", "Olga")  # straight to Olga, not to the queue
    texts = desk.topic_texts("Ivan")
    assert "OK, waiting" in texts
    assert any(t.endswith("opened the conversation") for t in texts)
    assert (await Conversation.get(id=1)).status == ConversationStatus.OPEN
