"""What a visitor is asked before they write: the entry point's pre-chat form (a name and an
email, each off, optional or required), and out of the line's hours the offline form. The
answers land on the contact, so operators see the email on the topic's card and in
/contact; a visitor the desk knows is not asked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.directory.business_hours import DAYS
from bot.directory.webchat_entry_points import set_form
from storage.models import Contact, Line
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.webchat import Window, post, webchat_entry_point

OLGA = 1001


async def _operator_types(desk: Desk, name: str, text: str) -> str:
    thread = desk.topic_of(name)["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, text, thread_id=thread)
    await desk.settle()
    return desk.topic_texts(name)[-1]


async def test_a_required_email_is_asked_first_and_lands_on_the_contact(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    await set_form("shop", name="optional", email="required")
    window = Window(desk, webchat.public_key)
    welcome = await window.open()
    assert welcome["form"] == {"kind": "prechat", "name": "optional", "email": "required"}
    assert welcome["away"] is None

    refused = await window.say("Where is my order?")
    assert (refused["type"], refused["code"], refused["field"]) == (
        "error",
        "form_required",
        "email",
    )
    assert refused["message"] == "Please write your email."
    refused = await window.say("Where is my order?", email="anna at example")
    assert (refused["code"], refused["field"]) == ("bad_email", "email")
    assert refused["message"] == "anna at example does not look like an email address."
    # The refusal is in the visitor's language (here over the long poll, in Russian).
    status, body, _ = await post(
        desk,
        "messages",
        webchat.public_key,
        {"token": window.token, "id": "order-0001", "text": "Hi", "email": "x", "language": "ru"},
    )
    assert status == 400 and body["error"]["field"] == "email"
    assert "не похоже на адрес" in body["error"]["message"]
    await desk.settle()
    assert not await Contact.exists()  # nothing refused was stored

    sent = await window.say("Where is my order?", name="Anna Smith", email="anna@example.com")
    assert sent["type"] == "sent"
    await desk.settle()
    assert desk.topic_texts("Anna Smith") == ["Where is my order?"]
    contact = await Contact.get()
    assert (contact.name, contact.email) == ("Anna Smith", "anna@example.com")
    card = desk.topic_messages("Anna Smith")[0]["text"]
    assert "anna@example.com" in card and "webchat" in card
    assert "Email: anna@example.com" in await _operator_types(desk, "Anna Smith", "/contact")
    await window.close()

    # A returning visitor (a reload) is not asked again and keeps their name.
    again = Window(desk, webchat.public_key, token=window.token)
    assert (await again.open())["form"] is None
    assert (await again.say("Any news?"))["type"] == "sent"
    await desk.settle()
    assert desk.topic_texts("Anna Smith")[-1] == "Any news?"
    assert (await Contact.get()).name == "Anna Smith"
    await again.close()


async def test_with_the_form_off_a_visitor_writes_at_once(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    welcome = await window.open()
    assert welcome["form"] is None and welcome["away"] is None
    assert (await window.say("Hello"))["type"] == "sent"
    await window.close()


def _closed_today_open_tomorrow(now: datetime) -> dict:
    tomorrow = DAYS[(now.weekday() + 1) % 7]
    return {"timezone": "UTC", "days": {tomorrow: "09:00-18:00"}}


async def test_out_of_hours_the_offline_form_lands_in_the_topic(desk: Desk) -> None:
    webchat = await webchat_entry_point(desk)
    window = Window(desk, webchat.public_key)
    assert (await window.open())["away"] is None  # within hours (the line has none)
    await window.close()

    now = datetime.now(UTC)
    await Line.filter(id=desk.core.default_line.id).update(
        business_hours=_closed_today_open_tomorrow(now)
    )
    # The hours end while the window is open: its next connect says so.
    window = Window(desk, webchat.public_key, token=window.token)
    welcome = await window.open()
    back = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    assert welcome["away"] == {"back_at": back.isoformat().replace("+00:00", "Z")}
    assert welcome["form"] == {"kind": "offline", "name": "required", "email": "required"}

    refused = await window.say("Please call me back", email="olga@example.com", form="offline")
    assert (refused["code"], refused["field"]) == ("form_required", "name")
    sent = await window.say(
        "Please call me back", name="Olga Visitor", email="olga@example.com", form="offline"
    )
    assert sent["type"] == "sent" and sent["item"]["text"] == "Please call me back"
    await desk.settle()
    assert desk.topic_texts("Olga Visitor") == ["Please call me back"]
    assert (await Contact.get()).email == "olga@example.com"
    notice = await window.item("notice")
    assert "out of office hours" in notice["text"]
    await window.close()

    # Known now (an email on file, a conversation open): no form again, still away.
    later = Window(desk, webchat.public_key, token=window.token)
    welcome = await later.open()
    assert welcome["form"] is None and welcome["away"] is not None
    await later.close()
