"""Every kind of message people send crosses the bridge intact, both ways."""

from __future__ import annotations

import pytest

from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.telegram import FakeTelegram

CUSTOMER = 5001
KINDS = [
    "photo",
    "video",
    "animation",
    "document",
    "audio",
    "voice",
    "video_note",
    "sticker",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
]


async def _open(desk: Desk, text: str = "Hi") -> int:
    desk.fake.add_user(CUSTOMER, "Ivan")
    desk.fake.user_sends(CUSTOMER, text)
    await desk.settle()
    return desk.topic_of("Ivan")["message_thread_id"]


@pytest.mark.parametrize("kind", KINDS)
async def test_customer_sends_each_kind_and_operators_see_it_in_the_topic(
    desk: Desk, kind: str
) -> None:
    await _open(desk)
    sent = desk.fake.user_sends(
        CUSTOMER, kind=kind, caption="look" if kind in ("photo", "video", "document") else None
    )
    await desk.settle()

    shown = desk.topic_messages("Ivan")[-1]
    assert kind in shown
    if "caption" in sent:
        assert shown["caption"] == sent["caption"]


async def test_formatting_survives_the_trip(desk: Desk) -> None:
    await _open(desk)
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 4},
    ]
    desk.fake.user_sends(CUSTOMER, "Very late order", entities=entities)
    await desk.settle()

    shown = desk.topic_messages("Ivan")[-1]
    assert shown["text"] == "Very late order"
    assert shown["entities"] == entities


async def test_an_album_arrives_as_one_album(desk: Desk) -> None:
    await _open(desk)
    desk.fake.user_sends_album(CUSTOMER, 3, caption="three photos")
    await desk.settle()

    album = desk.topic_messages("Ivan")[-3:]
    assert all("photo" in m for m in album)
    assert len({m.get("media_group_id") for m in album}) == 1 and album[0].get("media_group_id")
    assert album[0]["caption"] == "three photos"
    assert sum(1 for method, _ in desk.fake.calls if method == "copyMessages") == 1


@pytest.mark.parametrize("kind", ["photo", "document", "voice", "location", "sticker"])
async def test_operator_sends_each_kind_and_the_customer_gets_it(desk: Desk, kind: str) -> None:
    thread = await _open(desk)
    desk.fake.member_sends(OPERATOR_CHAT, 1001, kind=kind, thread_id=thread)
    await desk.settle()

    assert kind in desk.customer_sees(CUSTOMER)[-1]


async def test_operator_album_reaches_the_customer_as_an_album(desk: Desk) -> None:
    thread = await _open(desk)
    group = "op-album-1"
    for _ in range(2):
        desk.fake.member_sends(
            OPERATOR_CHAT, 1001, kind="photo", thread_id=thread, media_group_id=group
        )
    await desk.settle()

    got = desk.customer_sees(CUSTOMER)
    assert (
        len(got) == 2
        and got[0].get("media_group_id")
        and got[0]["media_group_id"] == got[1]["media_group_id"]
    )


async def test_an_operator_album_waits_as_long_as_the_setting_says(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    """The album wait is one setting for both directions: a long one holds an operator's
    album back (its other photos may still be coming) until that time has passed."""
    desk = await Desk(fake_telegram, database_url, album_wait_seconds=60).start()
    try:
        thread = await _open(desk)
        for _ in range(2):
            desk.fake.member_sends(
                OPERATOR_CHAT, 1001, kind="photo", thread_id=thread, media_group_id="op-album-2"
            )
        await desk.settle()
        assert not [m for m in desk.customer_sees(CUSTOMER) if "photo" in m]

        desk.clock.advance(seconds=60)
        desk.core.worker.wake()
        await desk.settle()
        photos = [m for m in desk.customer_sees(CUSTOMER) if "photo" in m]
        assert len(photos) == 2 and photos[0]["media_group_id"] == photos[1]["media_group_id"]
    finally:
        await desk.stop()
