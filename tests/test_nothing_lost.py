"""Nothing is lost: duplicates, races, deleted and closed topics, blocks, 429s, 5xx, sends
cancelled mid-burst (a real kill -9: tests/test_kill_9.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.base.clock import Clock
from bot.base.events import CustomerRef, EntryPointRef, InboundMessage, MessageBody
from bot.conversations.inbox import UnknownEntryPoint
from storage.models import Contact, Conversation, Delivery, DeliveryStatus, Message
from tests.fakes.desk import OPERATOR_CHAT, Desk, shown_texts
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5001


async def _open(desk: Desk) -> int:
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, "Hi")
    await desk.settle()
    return desk.topic_of("Ivan")["message_thread_id"]


async def test_the_same_update_twice_is_handled_once(desk: Desk) -> None:
    desk.fake.add_user(CUSTOMER, "Ivan")
    message = desk.fake.user_sends(CUSTOMER, "Hello")
    desk.fake.queue_raw_update({"message": message})
    await desk.settle()

    assert desk.topic_texts("Ivan") == ["Hello"]
    assert await Message.all().count() == 1


async def test_first_messages_arriving_at_once_open_one_topic(desk: Desk) -> None:
    entry = EntryPointRef("telegram", f"telegram:{desk.fake.bot_id}", "@relaydesk_bot")
    customer = CustomerRef("telegram", str(CUSTOMER), "Ivan")
    desk.fake.add_user(CUSTOMER, "Ivan")
    sent = [desk.fake.user_sends(CUSTOMER, f"part {i}") for i in range(1, 9)]
    burst = [
        InboundMessage(
            entry, customer, str(CUSTOMER), str(m["message_id"]), MessageBody("text", m["text"])
        )
        for m in sent
    ]
    await asyncio.gather(*(desk.core.inbox.accept(m) for m in burst))
    desk.core.worker.wake()
    await desk.settle()

    assert len(desk.fake.topics(OPERATOR_CHAT)) == 1
    assert await Conversation.all().count() == 1
    assert sorted(desk.topic_texts("Ivan")) == sorted(m["text"] for m in sent)


async def test_new_customers_writing_at_once_each_open_their_topic_and_one_refused_spoils_none(
    desk: Desk,
) -> None:
    """New customers' first messages that arrive together are stored together; one the
    database refuses (its id is another's, stored in the same moment) leaves no contact and
    no topic behind, and the others are stored each in their own conversation."""
    entry = EntryPointRef("telegram", f"telegram:{desk.fake.bot_id}", "@relaydesk_bot")
    names = {CUSTOMER + n: f"Customer{n}" for n in range(4)}
    firsts = []
    for user, name in names.items():
        desk.fake.add_user(user, name)
        sent = desk.fake.user_sends(user, f"Hello from {name}")
        firsts.append(
            InboundMessage(
                entry,
                CustomerRef("telegram", str(user), name),
                str(user),
                str(sent["message_id"]),
                MessageBody("text", sent["text"]),
            )
        )
    forged = InboundMessage(
        entry,
        CustomerRef("telegram", str(CUSTOMER + 9), "Forger"),
        firsts[0].chat,
        firsts[0].external_id,
        MessageBody("text", "not mine"),
    )

    accepted = await asyncio.gather(*(desk.core.inbox.accept(m) for m in [*firsts, forged]))
    desk.core.worker.wake()
    await desk.settle()

    assert [a.new_conversation for a in accepted] == [True] * 4 + [False]
    for name in names.values():
        assert desk.topic_texts(name) == [f"Hello from {name}"]
    assert not [t for t in desk.fake.topics(OPERATOR_CHAT) if "Forger" in t["name"]]
    assert await Conversation.all().count() == 4
    assert await Contact.all().count() == 4
    assert await Message.filter(text="not mine").count() == 0


async def test_a_first_message_through_an_unknown_entry_point_fails_alone(desk: Desk) -> None:
    entry = EntryPointRef("telegram", f"telegram:{desk.fake.bot_id}", "@relaydesk_bot")
    gone = EntryPointRef("telegram", "telegram:999", "@gone_bot")
    firsts = []
    for n, through in enumerate([entry, gone, entry]):
        user = CUSTOMER + n
        desk.fake.add_user(user, f"Customer{n}")
        customer = CustomerRef("telegram", str(user), f"Customer{n}")
        firsts.append(
            InboundMessage(through, customer, str(user), "1", MessageBody("text", f"Hello {n}"))
        )

    accepted = await asyncio.gather(
        *(desk.core.inbox.accept(m) for m in firsts), return_exceptions=True
    )
    desk.core.worker.wake()
    await desk.settle()

    assert isinstance(accepted[1], UnknownEntryPoint)
    assert [a.new_conversation for a in (accepted[0], accepted[2])] == [True, True]  # type: ignore[union-attr]
    assert sorted(await Message.all().values_list("text", flat=True)) == ["Hello 0", "Hello 2"]
    assert desk.topic_texts("Customer0") == ["Hello 0"]
    assert desk.topic_texts("Customer2") == ["Hello 2"]
    assert not [t for t in desk.fake.topics(OPERATOR_CHAT) if "Customer1" in t["name"]]


async def test_a_topic_deleted_by_hand_is_opened_again_and_the_message_lands_there(
    desk: Desk,
) -> None:
    thread = await _open(desk)
    desk.fake.delete_topic(OPERATOR_CHAT, thread)
    desk.fake.user_sends(CUSTOMER, "Are you there?")
    await desk.settle()

    topic = desk.topic_of("Ivan")
    assert topic["message_thread_id"] != thread
    texts = [m.get("text", "") for m in desk.topic_messages("Ivan")]
    assert "Conversation #1" in texts[0] and desk.topic_texts("Ivan") == ["Are you there?"]
    operator_reply = desk.fake.member_sends(
        OPERATOR_CHAT, 1001, "Yes", thread_id=topic["message_thread_id"]
    )
    await desk.settle()
    assert desk.customer_sees(CUSTOMER)[-1]["text"] == "Yes"
    assert desk.fake.reactions(OPERATOR_CHAT, operator_reply["message_id"])


async def test_a_topic_closed_by_hand_is_reopened(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.close_topic(OPERATOR_CHAT, thread)
    desk.fake.user_sends(CUSTOMER, "Hello?")
    await desk.settle()

    assert not desk.topic_of("Ivan")["is_closed"]
    assert desk.topic_messages("Ivan")[-1]["text"] == "Hello?"


async def test_a_customer_who_blocked_the_bot_is_said_in_plain_words(desk: Desk) -> None:
    thread = await _open(desk)
    desk.fake.block_bot(CUSTOMER)
    desk.expect_dead_deliveries()
    answer = desk.fake.member_sends(OPERATOR_CHAT, 1001, "Hello?", thread_id=thread)
    await desk.settle()

    assert [r["emoji"] for r in desk.fake.reactions(OPERATOR_CHAT, answer["message_id"])] == ["👎"]
    assert "the customer has blocked the bot" in desk.topic_messages("Ivan")[-1]["text"]
    assert await Delivery.filter(status="dead").count() == 1


@pytest.mark.parametrize(
    ("target", "op"),
    [("thread", "poll"), ("thread", "delete"), ("customer", "card.post"), ("fax", "notice")],
)
async def test_a_delivery_this_version_cannot_send_is_marked_dead_and_the_queue_goes_on(
    desk: Desk, caplog: pytest.LogCaptureFixture, target: str, op: str
) -> None:
    # A kind written by a newer version (or a kind its target has no use for) is given up
    # at once with a log line, not retried, and what was queued behind it still goes.
    await _open(desk)
    conversation = await Conversation.get()
    ident = {"thread": conversation.thread_id, "customer": conversation.identity_id}.get(target, 1)
    desk.expect_dead_deliveries()
    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        odd = await Delivery.create(
            target=f"{target}:{ident}",
            op=op,
            conversation=conversation,
            not_before=desk.clock.now(),
        )
        desk.fake.user_sends(CUSTOMER, "still here")
        await desk.settle()

    odd = await Delivery.get(id=odd.id)
    assert (odd.status, odd.attempts) == (DeliveryStatus.DEAD, 0)
    assert f"Delivery {odd.id} to {target}:{ident} is dead" in caplog.text
    assert desk.topic_messages("Ivan")[-1]["text"] == "still here"
    assert await Delivery.filter(status=DeliveryStatus.DEAD).count() == 1


async def test_a_429_storm_delays_but_loses_nothing_and_keeps_order(desk: Desk) -> None:
    await _open(desk)
    desk.fake.fail_next(
        "copyMessage",
        status=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
        times=3,
    )
    for i in range(5):
        desk.fake.user_sends(CUSTOMER, f"message {i}")
    await desk.settle(timeout=30)

    assert desk.topic_texts("Ivan") == ["Hi"] + [f"message {i}" for i in range(5)]
    # Each 429 was waited out: no call into the group came before its retry_after was over.
    assert len(desk.fake.rate_limited) == 3
    assert desk.fake.retry_after_violations() == []


async def test_server_errors_are_retried_until_the_message_goes(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    desk = await Desk(fake_telegram, database_url, clock=Clock(speed=20)).start()
    try:
        await _open(desk)
        desk.fake.fail_next("copyMessage", status=502, description="Bad Gateway", times=3)
        desk.fake.user_sends(CUSTOMER, "still there?")
        await desk.settle(timeout=30)
        assert desk.topic_messages("Ivan")[-1]["text"] == "still there?"
    finally:
        await desk.stop()


async def test_cancelling_every_send_mid_burst_loses_no_accepted_message(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    # In process, sends are cancelled and the desk stops politely; tests/test_kill_9.py kills
    # a real process. A fast clock: on PostgreSQL the stopped instance's claims are waited
    # out (the lease).
    desk = await Desk(fake_telegram, database_url, clock=Clock(speed=10)).start()
    try:
        for user in range(5001, 5011):
            desk.fake.add_user(user, f"Customer{user}")
        for round_ in range(3):
            for user in range(5001, 5011):
                desk.fake.user_sends(user, f"{user}-{round_}")
        await asyncio.sleep(0.3)
        await desk.cancel_sends_and_stop()
        await desk.start()
        await desk.settle(timeout=30)
        topics = desk.fake.topics(OPERATOR_CHAT)
        for user in range(5001, 5011):
            # The Bot API has no idempotency key: a topic whose creation the kill cut off may
            # be created once more. Messages still arrive once each, in order.
            mine = [t["message_thread_id"] for t in topics if f"Customer{user} " in t["name"]]
            shown = [
                text
                for thread in mine
                for m in desk.fake.chat_messages(OPERATOR_CHAT, thread)
                for text in shown_texts(m)
            ]
            # A send cut off by the kill may be repeated (at least once; a merged message as a
            # whole), never lost or reordered.
            assert list(dict.fromkeys(shown)) == [f"{user}-{r}" for r in range(3)], shown
            assert all(shown.count(t) <= 2 for t in shown), shown
    finally:
        await desk.stop()
