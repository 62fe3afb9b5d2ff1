"""Conversations in the admin panel: the list with its filters and pages, one conversation's
transcript, audit trail and rating, and who may see which."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from bot.base.events import DELETED
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    EntryPoint,
    Identity,
    Line,
    Message,
    Operator,
    Thread,
)
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import hire

OLGA, PETRO = 1001, 1002
IVAN, ANNA = 5001, 5002
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
MAY_1 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
_numbers = count(1)


@pytest.fixture
async def browser(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def _sales() -> Line:
    return await Line.create(
        slug="sales", name="Sales", workspace_kind="telegram", workspace_chat="-1009000000002"
    )


async def _conversation(
    line: Line,
    name: str,
    *,
    channel: str = "telegram",
    status: ConversationStatus = ConversationStatus.OPEN,
    assignee: Operator | None = None,
    topic: str | None = None,
    created: datetime = MAY_1,
    said: tuple[str, ...] = ("Hello",),
) -> Conversation:
    """A conversation written straight to the database, as the desk would have stored it."""
    contact = await Contact.create(name=name)
    identity = await Identity.create(
        contact=contact, channel=channel, external_id=str(next(_numbers)), display_name=name
    )
    entry_point, _ = await EntryPoint.get_or_create(
        key=f"{channel}:{line.slug}",
        defaults={"channel": channel, "name": f"{channel.title()} of {line.name}", "line": line},
    )
    thread = await Thread.create(
        contact=contact,
        line=line,
        workspace_kind=line.workspace_kind,
        workspace_chat=line.workspace_chat,
    )
    conversation = await Conversation.create(
        contact=contact,
        identity=identity,
        entry_point=entry_point,
        line=line,
        thread=thread,
        assignee=assignee,
        status=status,
        topic=topic,
        created_at=created,
    )
    for text in said:
        await Message.create(
            conversation=conversation, direction=Direction.IN, text=text, created_at=created
        )
    return conversation


def _listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/admin/conversations/(\d+)">#\d+<', html)}


async def _list(browser: PanelClient, query: str = "") -> set[int]:
    status, html = await browser.get(f"/admin/conversations{query}")
    assert status == 200, html
    return _listed(html)


async def test_each_filter_narrows_the_list(desk: Desk, browser: PanelClient) -> None:
    default = await Line.get(slug="default")
    sales = await _sales()
    olga = await hire("default", "Olga", telegram=OLGA)
    petro = await hire("sales", "Petro", telegram=PETRO)
    late = await _conversation(
        default, "Ivan", assignee=olga, topic="Delivery", said=("My parcel is late",)
    )
    refund = await _conversation(
        sales,
        "Anna",
        assignee=petro,
        status=ConversationStatus.CLOSED,
        topic="Billing",
        created=MAY_1 + timedelta(days=3),
        said=("I want a refund",),
    )
    widget = await _conversation(
        default,
        "Oleh Kovalenko",
        channel="webchat",
        status=ConversationStatus.QUEUED,
        created=MAY_1 + timedelta(days=10),
        said=("Is anyone there?",),
    )
    await make_account("boss")
    await browser.sign_in("boss")
    everything = {late.id, refund.id, widget.id}
    webchat_entry = await EntryPoint.get(key="webchat:default")

    assert await _list(browser) == everything
    assert await _list(browser, "?status=closed") == {refund.id}
    assert await _list(browser, "?status=queued") == {widget.id}
    assert await _list(browser, f"?line={sales.id}") == {refund.id}
    assert await _list(browser, f"?operator={olga.id}") == {late.id}
    assert await _list(browser, "?channel=webchat") == {widget.id}
    assert await _list(browser, f"?entry_point={webchat_entry.id}") == {widget.id}
    assert await _list(browser, "?topic=Billing") == {refund.id}
    assert await _list(browser, "?from=2026-05-04") == {refund.id, widget.id}
    assert await _list(browser, "?from=2026-05-02&to=2026-05-04") == {refund.id}
    assert await _list(browser, "?to=2026-05-01") == {late.id}
    assert await _list(browser, "?q=REFUND") == {refund.id}  # words the customer wrote
    assert await _list(browser, "?q=kovalenko") == {widget.id}  # the customer's name
    assert await _list(browser, "?q=nothing+like+this") == set()
    assert await _list(browser, f"?line={default.id}&status=open&topic=Delivery") == {late.id}
    assert await _list(browser, "?line=abc&status=whatever") == everything  # unreadable: unset

    status, html = await browser.get(f"/admin/conversations?line={sales.id}&q=refund")
    assert f'<option value="{sales.id}" selected>Sales</option>' in html
    assert 'value="refund"' in html  # the form shows what was asked


async def test_pages_hold_25_and_their_links_keep_the_filters(
    desk: Desk, browser: PanelClient
) -> None:
    default = await Line.get(slug="default")
    webchat = [
        await _conversation(default, f"Visitor {n}", channel="webchat", said=("Hi from the site",))
        for n in range(30)
    ]
    telegram = await _conversation(default, "Ivan", said=("Hi from the site too",))
    await make_account("boss")
    await browser.sign_in("boss")

    status, html = await browser.get("/admin/conversations?channel=webchat&q=site")
    assert "Found: 30." in html and "Page 1 of 2" in html
    assert _listed(html) == {c.id for c in webchat[-25:]}  # newest first
    next_page = re.search(r'href="([^"]+)" rel="next"', html)
    assert next_page and "channel=webchat" in next_page.group(1) and "q=site" in next_page.group(1)

    status, html = await browser.get(next_page.group(1).replace("&amp;", "&"))
    assert "Page 2 of 2" in html
    assert _listed(html) == {c.id for c in webchat[:5]}
    assert telegram.id not in _listed(html)
    previous = re.search(r'href="([^"]+)" rel="prev"', html)
    assert previous and "channel=webchat" in previous.group(1)


async def test_the_conversation_page_tells_the_whole_story(
    desk: Desk, browser: PanelClient
) -> None:
    await hire("default", "Olga", telegram=OLGA)
    desk.fake.add_user(IVAN, "Ivan")
    first = desk.fake.user_sends(IVAN, "My order 1234 is late")
    await desk.settle()
    thread = desk.topic_of("Ivan")["message_thread_id"]
    desk.fake.user_sends(IVAN, kind="document", caption="the receipt")
    await desk.settle()
    desk.clock.advance(minutes=7)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "It ships tomorow", thread_id=thread)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/note VIP customer", thread_id=thread)
    await desk.settle()
    desk.fake.user_edits(IVAN, first["message_id"], "My order 1235 is late\nand nobody answers")
    desk.clock.advance(minutes=30)
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved Sent a new one", thread_id=thread)
    await desk.settle()
    desk.fake.user_sends(IVAN, "5")
    await desk.settle()
    desk.fake.user_sends(IVAN, "Quick and kind, thanks!")
    await desk.settle()
    conversation = await Conversation.get(contact__name="Ivan")
    await Message.create(
        conversation=conversation, direction=Direction.SYSTEM, text="Transferred from Sales"
    )
    oops = await Message.get(text="It ships tomorow")  # deleted by Olga (a Slack line can)
    oops.content = {**oops.content, DELETED: True}
    oops.edited_at = desk.clock.now()
    await oops.save()
    await make_account("boss")
    await browser.sign_in("boss")

    status, html = await browser.get(f"/admin/conversations/{conversation.id}")

    assert status == 200
    assert f"Conversation #{conversation.id} · Ivan" in html
    messages = re.findall(r'<article class="message (\w+)"[^>]*>(.*?)</article>', html, re.S)
    kinds = [kind for kind, _ in messages]
    assert kinds == ["in", "in", "out", "note", "in", "in", "system"]
    edited, receipt, answer, note, _, _, event = (body for _, body in messages)
    assert "My order 1235 is late\nand nobody answers" in edited and "edited 20" in edited
    document = (await Message.get(kind="document")).content["document"]["file_name"]
    assert f"📎 file: {document}" in receipt and "the receipt" in receipt
    assert "It ships tomorow" in answer and "deleted 20" in answer and "Olga" in answer
    assert "VIP customer" in note and "internal note" in note
    assert "Transferred from Sales" in event and "system event" in event
    assert "★★★★★ 5/5" in html and "Quick and kind, thanks!" in html
    assert "<td>solved</td>" in html and "Sent a new one" in html
    created, first_response, closed = (
        re.search(f"<th>{label}</th><td>([^<]+)</td>", html).group(1)  # type: ignore[union-attr]
        for label in ("Created", "First response", "Closed")
    )
    assert created < first_response < closed
    trail = html.split("Audit trail")[1]
    assert re.search(r"<td>Olga</td>\s*<td>Status.*result: solved", trail, re.S)
    assert "<td>in progress</td>" in trail and "<td>closed</td>" in trail


async def test_an_unknown_conversation_is_not_found(desk: Desk, browser: PanelClient) -> None:
    await make_account("boss")
    await browser.sign_in("boss")
    for path in ("/admin/conversations/4040", "/admin/conversations/99999999999999"):
        status, html = await browser.get(path)
        assert status == 404 and "There is no such page." in html


async def test_a_supervisor_sees_only_the_lines_of_their_team(
    desk: Desk, browser: PanelClient
) -> None:
    default = await Line.get(slug="default")
    sales = await _sales()
    olga = await hire("default", "Olga", telegram=OLGA)
    ours = await _conversation(default, "Ivan")
    theirs = await _conversation(sales, "Anna", said=("Secret sales talk",))
    await make_account("olga", role="supervisor", operator=olga)
    await browser.sign_in("olga")

    assert await _list(browser) == {ours.id}
    assert await _list(browser, f"?line={sales.id}") == set()  # a filter never widens
    assert await _list(browser, "?q=secret") == set()
    status, html = await browser.get("/admin/conversations")
    assert "Sales" not in html  # not even offered as a filter
    status, _ = await browser.get(f"/admin/conversations/{ours.id}")
    assert status == 200
    status, html = await browser.get(f"/admin/conversations/{theirs.id}")
    assert status == 403 and "Secret sales talk" not in html


async def test_an_operator_reads_only_their_own_conversations(
    desk: Desk, browser: PanelClient
) -> None:
    default = await Line.get(slug="default")
    olga = await hire("default", "Olga", telegram=OLGA)
    petro = await hire("default", "Petro", telegram=PETRO)
    mine = await _conversation(default, "Ivan", assignee=olga)
    colleagues = await _conversation(default, "Anna", assignee=petro)
    waiting = await _conversation(default, "Oleh", status=ConversationStatus.QUEUED)
    await make_account("olga", role="operator", operator=olga)
    await browser.sign_in("olga")

    assert await _list(browser) == {mine.id}
    assert await _list(browser, f"?operator={petro.id}") == set()
    status, html = await browser.get(f"/admin/conversations/{mine.id}")
    assert status == 200 and "<form" not in html.split("</header>")[1]  # nothing to change
    for other in (colleagues, waiting):
        status, _ = await browser.get(f"/admin/conversations/{other.id}")
        assert status == 403


async def test_an_admin_sees_every_line(desk: Desk, browser: PanelClient) -> None:
    default = await Line.get(slug="default")
    sales = await _sales()
    ours = await _conversation(default, "Ivan")
    theirs = await _conversation(sales, "Anna")
    await make_account("boss")
    await browser.sign_in("boss")

    assert await _list(browser) == {ours.id, theirs.id}
    status, _ = await browser.get(f"/admin/conversations/{theirs.id}")
    assert status == 200


async def test_a_hostile_customer_is_shown_as_plain_text(desk: Desk, browser: PanelClient) -> None:
    desk.fake.add_user(ANNA, HOSTILE)
    desk.fake.user_sends(ANNA, HOSTILE)
    await desk.settle()
    conversation = await Conversation.get()
    await make_account("boss")
    await browser.sign_in("boss")

    for path in ("/admin/conversations", f"/admin/conversations/{conversation.id}"):
        status, html = await browser.get(path)
        assert status == 200
        assert ESCAPED in html and HOSTILE not in html, path
    status, html = await browser.get("/admin/conversations?q=%3Cscript%3E")
    assert conversation.id in _listed(html) and HOSTILE not in html


async def test_the_pages_ask_to_sign_in(desk: Desk, browser: PanelClient) -> None:
    for path in ("/admin/conversations", "/admin/conversations/1"):
        async with browser.session.get(desk.url + path, allow_redirects=False) as response:
            assert response.status == 302
            assert response.headers["Location"].startswith("/admin/login?next=")


class _Queries(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def _queries_for(browser: PanelClient, path: str) -> int:
    counter = _Queries()
    log = logging.getLogger("tortoise.db_client")
    level = log.level
    log.addHandler(counter)
    log.setLevel(logging.DEBUG)
    try:
        status, _ = await browser.get(path)
    finally:
        log.removeHandler(counter)
        log.setLevel(level)
    assert status == 200
    return counter.count


async def test_a_longer_list_asks_the_database_no_more_often(
    desk: Desk, browser: PanelClient
) -> None:
    default = await Line.get(slug="default")
    olga = await hire("default", "Olga", telegram=OLGA)
    for n in range(3):
        await _conversation(default, f"Early {n}", assignee=olga)
    await make_account("boss")
    await browser.sign_in("boss")
    few = await _queries_for(browser, "/admin/conversations?q=e")

    for n in range(20):
        await _conversation(default, f"Later {n}", assignee=olga)
    many = await _queries_for(browser, "/admin/conversations?q=e")

    assert 0 < many == few
