"""Operators answering in several topics at the same time: their answers are stored together
(bot/conversations/answers_together.py), and nothing of what one answer at a time promised
is lost: each customer gets the answer written in their topic, each conversation is assigned
to its replier and audited once, and a repeated update among them is stored once."""

from __future__ import annotations

import asyncio

import pytest

from bot.base.events import MessageBody, OperatorRef, ThreadRef, WorkspaceMessage
from bot.conversations.answers_together import AnswersTogether
from bot.conversations.view import latest_in_chat_thread
from storage.models import AuditEntry, Conversation, Delivery, DeliveryStatus, Message
from tests.fakes.desk import OPERATOR_CHAT, Desk

CUSTOMERS = {5001: "Anna", 5002: "Boris", 5003: "Clara", 5004: "Denys"}
OLGA, PETRO = 1001, 1002
OPERATOR_NAMES = {OLGA: "Olga", PETRO: "Petro"}


async def _topics(desk: Desk) -> dict[int, int]:
    """Each customer wrote once: their topic's id, by customer."""
    for user_id, name in CUSTOMERS.items():
        desk.fake.add_user(user_id, name)
        desk.fake.user_sends(user_id, "Hello")
    await desk.settle()
    return {u: desk.topic_of(name)["message_thread_id"] for u, name in CUSTOMERS.items()}


def _answer(desk: Desk, operator: int, thread: int, text: str) -> WorkspaceMessage:
    """An operator's message in a topic as the Telegram bridge hands it to the core: it is in
    the group (the desk marks it delivered there) but given to the core directly, several at
    once, and not read by the desk's own polling."""
    group = desk.fake.chats[OPERATOR_CHAT]
    sent = desk.fake.add_message(group, desk.fake.users[operator], {"text": text}, thread_id=thread)
    return WorkspaceMessage(
        ThreadRef("telegram", str(OPERATOR_CHAT), str(thread)),
        OperatorRef("telegram", str(operator), OPERATOR_NAMES[operator]),
        str(sent["message_id"]),
        MessageBody("text", text),
    )


def _answers_seen(desk: Desk, user_id: int) -> list[str]:
    return [m.get("text") for m in desk.customer_sees(user_id)]


class Batches:
    """How many answers each write of the answers' batches held. The first write waits for
    `release()`: the answers that come meanwhile wait for it and go together in the next."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.released = asyncio.Event()
        self.writing = asyncio.Event()  # a write began

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> Batches:
    noted = Batches()
    write = AnswersTogether._write

    async def held(self: AnswersTogether, answers: list) -> None:
        noted.sizes.append(len(answers))
        noted.writing.set()
        await noted.released.wait()
        await write(self, answers)

    monkeypatch.setattr(AnswersTogether, "_write", held)
    return noted


async def _while_one_is_stored(
    desk: Desk, batches: Batches, first: WorkspaceMessage, others: list[WorkspaceMessage]
) -> None:
    """`first` is being stored while `others` come in side by side; then all are stored."""
    flow = desk.core.flow
    batches.writing.clear()
    storing = asyncio.create_task(flow.accept_message(first))
    await batches.writing.wait()
    coming = asyncio.gather(*(flow.accept_message(a) for a in others))
    await asyncio.sleep(0.5)  # each is checked (topic, operator) and waits for the batch
    batches.release()
    await asyncio.gather(storing, coming)
    desk.core.worker.wake()
    await desk.settle()


async def test_operators_answering_at_once_each_customer_gets_the_answer_from_their_topic(
    desk: Desk, batches: Batches
) -> None:
    topics = await _topics(desk)
    repliers = {5001: OLGA, 5002: PETRO, 5003: OLGA, 5004: PETRO}
    answers = {
        u: _answer(desk, repliers[u], topics[u], f"Answer for {name}")
        for u, name in CUSTOMERS.items()
    }

    await _while_one_is_stored(
        desk, batches, answers[5001], [answers[u] for u in (5002, 5003, 5004)]
    )

    assert batches.sizes == [1, 3]  # the three that came meanwhile: one write
    for user_id, name in CUSTOMERS.items():
        assert _answers_seen(desk, user_id)[-1] == f"Answer for {name}"
        conversation = await Conversation.get(contact__name=name).select_related("assignee")
        assert conversation.assignee.name == OPERATOR_NAMES[repliers[user_id]]
        assert conversation.first_response_at is not None
        assert desk.topic_of(name)["name"].endswith(f"· {OPERATOR_NAMES[repliers[user_id]]}")
    entries = await AuditEntry.filter(action="assignee").values_list("new_value", flat=True)
    assert sorted(entries) == ["Olga", "Olga", "Petro", "Petro"]
    assert not await Delivery.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD])


async def test_a_repeated_answer_among_others_is_sent_once_and_the_others_go(
    desk: Desk, batches: Batches
) -> None:
    topics = await _topics(desk)
    batches.release()
    first = _answer(desk, OLGA, topics[5001], "Answer for Anna")
    await desk.core.flow.accept_message(first)
    await desk.settle()
    batches.released.clear()

    others = [
        first,
        _answer(desk, PETRO, topics[5002], "Answer for Boris"),
        _answer(desk, OLGA, topics[5003], "Answer for Clara"),
    ]
    denys = _answer(desk, PETRO, topics[5004], "Answer for Denys")
    await _while_one_is_stored(desk, batches, denys, others)

    assert batches.sizes[1:] == [1, 3, 1, 1, 1]  # refused together, then one by one
    for user_id, name in CUSTOMERS.items():
        assert _answers_seen(desk, user_id).count(f"Answer for {name}") == 1
    assert await Message.filter(text="Answer for Anna").count() == 1
    assert await AuditEntry.filter(action="assignee").count() == 4


async def test_two_answers_in_one_conversation_at_once_both_go_and_assign_once(
    desk: Desk, batches: Batches
) -> None:
    topics = await _topics(desk)
    both = [
        _answer(desk, OLGA, topics[5002], "One moment"),
        _answer(desk, PETRO, topics[5002], "Here it is"),
    ]
    anna = _answer(desk, OLGA, topics[5001], "Answer for Anna")

    await _while_one_is_stored(desk, batches, anna, both)

    assert batches.sizes == [1, 1, 1]  # never in one batch: the later after the first
    seen = _answers_seen(desk, 5002)[-2:]
    assert sorted(seen) == ["Here it is", "One moment"]
    first_author = "Olga" if seen[0] == "One moment" else "Petro"
    conversation = await Conversation.get(contact__name="Boris").select_related("assignee")
    assert conversation.assignee.name == first_author  # the first answer took it
    assert await AuditEntry.filter(action="assignee", conversation=conversation).count() == 1


async def test_topics_looked_up_at_once_each_give_their_latest_conversation(desk: Desk) -> None:
    topics = await _topics(desk)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=topics[5001])
    await desk.settle()
    desk.fake.user_sends(5001, "Me again")  # a new conversation in the same topic
    await desk.settle()
    assert desk.topic_of("Anna")["message_thread_id"] == topics[5001]

    found = await asyncio.gather(
        *(latest_in_chat_thread("telegram", str(OPERATOR_CHAT), str(topics[u])) for u in CUSTOMERS),
        latest_in_chat_thread("telegram", str(OPERATOR_CHAT), "999999"),  # no such topic
    )

    latest_of_anna = await Conversation.filter(contact__name="Anna").order_by("-id").first()
    assert [c.id if c else None for c in found] == [
        latest_of_anna.id,
        *[(await Conversation.get(contact__name=n)).id for n in ("Boris", "Clara", "Denys")],
        None,
    ]
    assert all(c.thread.line.workspace_chat == str(OPERATOR_CHAT) for c in found if c)
