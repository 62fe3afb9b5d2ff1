"""A thread's title and card follow the conversation without costing customers' messages:
refreshes queued while the group's budget is spent are shown once, after the messages."""

from __future__ import annotations

import asyncio

from tests.fakes.desk import OPERATOR_CHAT, TELEGRAM_LIMITS, Desk
from tests.fakes.telegram import FakeTelegram

IVAN, OLGA = 5001, 1001
OTHERS = range(6201, 6211)  # 10 customers x 2 group messages: with Ivan's, past a minute's 20


def _group_calls(fake: FakeTelegram, method: str) -> list[dict]:
    return [
        params
        for name, params in fake.calls
        if name == method and int(params.get("chat_id", 0)) == OPERATOR_CHAT
    ]


async def test_title_and_card_edits_queued_behind_a_spent_budget_are_sent_once_after_the_customer(
    limited_telegram, database_url: str
) -> None:
    fake, clock = limited_telegram
    desk = await Desk(
        fake,
        database_url,
        clock=clock,
        **TELEGRAM_LIMITS,
    ).start()
    try:
        fake.add_user(IVAN, "Ivan")
        fake.user_sends(IVAN, "Help")
        await desk.settle(timeout=60)
        card = desk.topic_messages("Ivan")[0]
        thread = desk.topic_of("Ivan")["message_thread_id"]
        for user in OTHERS:  # the group's budget for this minute is spent on them
            fake.add_user(user, f"C{user}")
            fake.user_sends(user, f"{user} first")
        await asyncio.sleep(0.3)  # their messages are in the queue first
        renames_before = len(_group_calls(fake, "editForumTopic"))
        edits_before = len(_group_calls(fake, "editMessageText"))

        # Taken, snoozed, and woken by the customer: three states while nothing can go.
        fake.press_button(OPERATOR_CHAT, card["message_id"], OLGA, "rd:take:1")
        fake.member_sends(OPERATOR_CHAT, OLGA, "/snooze 2h", thread_id=thread)
        await asyncio.sleep(0.5)
        fake.user_sends(IVAN, "One more thing")
        await desk.settle(timeout=90)

        final = desk.topic_of("Ivan")["name"]
        assert final.startswith("💬 Ivan #1 · ")  # taken, and no longer snoozed
        renames = [
            r
            for r in _group_calls(fake, "editForumTopic")[renames_before:]
            if int(r["message_thread_id"]) == thread
        ]
        assert [r["name"] for r in renames] == [final]
        card_edits = [
            e
            for e in _group_calls(fake, "editMessageText")[edits_before:]
            if int(e["message_id"]) == card["message_id"]
        ]
        assert len(card_edits) == 1
        copied = max(
            i
            for i, (name, params) in enumerate(fake.calls)
            if name == "copyMessage" and int(params.get("from_chat_id", 0)) == IVAN
        )
        renamed = max(
            i
            for i, (name, params) in enumerate(fake.calls)
            if name == "editForumTopic" and int(params.get("message_thread_id", 0)) == thread
        )
        assert copied < renamed  # the customer's words first, then the title
        assert fake.stats.too_many_requests == 0
    finally:
        await desk.stop()


async def test_topics_answered_at_once_each_show_their_operator_in_title_and_card(
    desk: Desk,
) -> None:
    """Their refreshes go in one step after the answers, read together (one statement for
    their pending refreshes, one for their conversations): each topic still shows its own."""
    customers = {6301 + n: f"Buyer{n}" for n in range(6)}
    for user, name in customers.items():
        desk.fake.add_user(user, name)
        desk.fake.user_sends(user, f"Hello from {name}")
    await desk.settle()
    threads = {name: desk.topic_of(name)["message_thread_id"] for name in customers.values()}

    for name, thread in threads.items():
        desk.fake.member_sends(OPERATOR_CHAT, OLGA, f"Hi {name}", thread_id=thread)
    await desk.settle()

    for name in customers.values():
        title = desk.topic_of(name)["name"]
        assert title.startswith(f"💬 {name} #") and title.endswith(" · Olga")
        card = desk.topic_messages(name)[0]
        assert "Olga" in card["text"] and name in card["text"]
