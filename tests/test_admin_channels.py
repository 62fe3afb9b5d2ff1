"""Channels in the admin panel: an admin makes an API entry point, reads its key once, rotates
it and points its webhook — all through the services `relaydesk api` uses, all audited."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from storage.models import ApiEntryPoint, AuditEntry, EntryPoint, WebchatEntryPoint
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.admin_data import as_seen, supervisor_signed_in
from tests.fakes.api import ApiClient, Receiver
from tests.fakes.desk import Desk

KEY = re.compile(r'value="(rdk_[A-Za-z0-9_-]+)"')


@pytest.fixture(name="admin")
async def admin_fixture(api_desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(api_desk.url)
    await make_account("boss")
    status, _ = await client.sign_in("boss")
    assert status == 200
    yield client
    await client.close()


def _key(page: str) -> str:
    found = KEY.findall(page)
    assert len(found) == 1, page
    return found[0]


async def test_a_new_entry_points_key_is_shown_once_and_posts_messages(
    api_desk: Desk, admin: PanelClient, receiver: Receiver
) -> None:
    status, page = await admin.post(
        "/admin/channels/api",
        {"slug": "shop", "name": "Shop", "line": "default", "webhook_url": receiver.url},
    )
    assert status == 200 and "shown only once" in page
    key = _key(page)
    secret = re.findall(r'value="([^"]+)" id="issued-secret"', page)
    assert len(secret) == 1
    receiver.secret = secret[0]
    listed_status, listed = await admin.get("/admin/channels")
    assert listed_status == 200
    assert key not in listed and key[:12] + "…" in listed and receiver.url in listed

    client = ApiClient(api_desk, key)
    status, posted, _ = await client.post_message("c-1", "Ivan", "Hello")
    assert status == 201, posted
    await api_desk.settle()
    assert receiver.of_type("conversation.") and receiver.bad_signatures == 0
    _, listed = await admin.get("/admin/channels")
    assert "sent" in listed  # the webhook's last call

    status, page = await admin.post("/admin/channels/api/shop/rotate")
    assert status == 200 and "the old one no longer works" in page
    new_key = _key(page)
    assert new_key != key
    assert (await client.post_message("c-1", "Ivan", "Again"))[0] == 401
    status, _, _ = await ApiClient(api_desk, new_key).post_message("c-1", "Ivan", "Again")
    assert status == 201
    await api_desk.settle()

    entries = await AuditEntry.filter(action__startswith="entry_point.").order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("entry_point.set", "web:boss"),
        ("entry_point.key", "web:boss"),
    ]


async def test_the_webhook_is_set_refused_in_plain_words_and_cleared(
    api_desk: Desk, admin: PanelClient
) -> None:
    status, page = await admin.post(
        "/admin/channels/api", {"slug": "crm", "name": "", "line": "default", "webhook_url": ""}
    )
    assert status == 200 and "Webhook signing secret" not in page

    status, page = await admin.post(
        "/admin/channels/api/crm/webhook", {"webhook_url": "ftp://nowhere"}
    )
    assert status == 400 and "will not do" in as_seen(page)
    assert (await ApiEntryPoint.get()).webhook_url is None

    status, page = await admin.post(
        "/admin/channels/api/crm/webhook", {"webhook_url": "http://127.0.0.1:9/hook"}
    )
    assert status == 200 and "Webhook signing secret" in page  # the first URL makes a secret
    api = await ApiEntryPoint.get()
    assert api.webhook_url == "http://127.0.0.1:9/hook" and api.webhook_secret

    status, page = await admin.post(
        "/admin/channels/api/crm/webhook", {"webhook_url": "x", "clear": "1"}
    )
    assert status == 200 and "Saved." in page
    api = await ApiEntryPoint.get()
    assert api.webhook_url is None and api.webhook_secret is None

    assert (await admin.post("/admin/channels/api/nope/rotate"))[0] == 404
    assert (await admin.post("/admin/channels/api/nope/webhook", {"webhook_url": ""}))[0] == 404


async def test_bad_input_is_refused_next_to_the_form(api_desk: Desk, admin: PanelClient) -> None:
    status, page = await admin.post(
        "/admin/channels/api", {"slug": "Two Words", "line": "default", "webhook_url": ""}
    )
    assert status == 400 and "should be 1 to 16 small letters" in as_seen(page)
    assert 'value="Two Words"' in page
    status, page = await admin.post(
        "/admin/channels/api", {"slug": "shop", "line": "nowhere", "webhook_url": ""}
    )
    assert status == 400
    assert not await EntryPoint.filter(channel="api").exists()


async def test_only_admins_and_only_with_the_forms_token(
    api_desk: Desk, admin: PanelClient
) -> None:
    status, page = await admin.post(
        "/admin/channels/api", {"slug": "shop", "line": "default"}, csrf=False
    )
    assert status == 403 and "form has expired" in page
    await admin.post("/admin/channels/api", {"slug": "shop", "line": "default"})
    hint = (await ApiEntryPoint.get()).key_hint
    assert (await admin.post("/admin/channels/api/shop/rotate", csrf=False))[0] == 403
    assert (await ApiEntryPoint.get()).key_hint == hint
    status, _ = await admin.post(
        "/admin/channels/webchat", {"slug": "site", "line": "default"}, csrf=False
    )
    assert status == 403 and not await WebchatEntryPoint.exists()

    supervisor = PanelClient(api_desk.url)
    try:
        await supervisor_signed_in(supervisor)
        assert (await supervisor.get("/admin/channels"))[0] == 403
        assert (await supervisor.post("/admin/channels/api/shop/rotate"))[0] == 403
        status, _ = await supervisor.post("/admin/channels/api", {"slug": "x", "line": "default"})
        assert status == 403
        status, _ = await supervisor.post(
            "/admin/channels/webchat", {"slug": "x", "line": "default"}
        )
        assert status == 403
    finally:
        await supervisor.close()
    assert (await ApiEntryPoint.get()).key_hint == hint


async def test_a_web_chat_is_made_its_origins_and_look_changed_and_its_snippet_shown(
    api_desk: Desk, admin: PanelClient
) -> None:
    form = {"slug": "site", "name": "Site", "line": "default", "origin": "https://shop.example"}
    status, page = await admin.post("/admin/channels/webchat", form | {"color": "#1F6FEB"})
    assert status == 200 and "Saved." in page
    webchat = await WebchatEntryPoint.get()
    assert webchat.allowed_origins == ["https://shop.example"] and webchat.color == "#1f6feb"
    assert f"data-key=&#34;{webchat.public_key}&#34;" in page or webchat.public_key in page
    assert "/webchat/widget.js" in as_seen(page) and "background: #1f6feb" in page

    status, page = await admin.post(
        "/admin/channels/webchat/site/origins", {"add": "https://www.shop.example"}
    )
    assert status == 200
    status, page = await admin.post(
        "/admin/channels/webchat/site/origins", {"remove": "https://shop.example"}
    )
    await webchat.refresh_from_db()
    assert webchat.allowed_origins == ["https://www.shop.example"]
    status, page = await admin.post("/admin/channels/webchat/site/origins", {"add": "not a site"})
    assert status == 400 and 'class="field-error"' in page

    status, page = await admin.post(
        "/admin/channels/webchat/site/look",
        {"title": "Help", "color": "#0a7d32", "position": "left"},
    )
    assert status == 200 and "background: #0a7d32" in page and "left: .5rem" in page
    status, page = await admin.post(
        "/admin/channels/webchat/site/look", {"title": "", "color": "red", "position": "left"}
    )
    assert status == 400 and "should be like #1f6feb" in as_seen(page)
    await webchat.refresh_from_db()
    assert (webchat.title, webchat.color, webchat.position) == ("Help", "#0a7d32", "left")

    old = webchat.public_key
    status, page = await admin.post("/admin/channels/webchat/site/rotate")
    await webchat.refresh_from_db()
    assert status == 200 and webchat.public_key != old and webchat.public_key in page

    status, page = await admin.post("/admin/channels/webchat", form)
    assert status == 400 and "exists already" in as_seen(page)
    assert (await admin.post("/admin/channels/webchat/nope/rotate"))[0] == 404
    entries = await AuditEntry.filter(action__startswith="entry_point.").order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("entry_point.set", "web:boss"),
        ("entry_point.origins", "web:boss"),
        ("entry_point.origins", "web:boss"),
        ("entry_point.key", "web:boss"),
    ]


async def test_send_test_signs_a_ping_shows_the_answer_and_the_last_deliveries(
    api_desk: Desk, admin: PanelClient, receiver: Receiver
) -> None:
    status, page = await admin.post(
        "/admin/channels/api",
        {"slug": "shop", "name": "Shop", "line": "default", "webhook_url": receiver.url},
    )
    receiver.secret = re.findall(r'value="([^"]+)" id="issued-secret"', page)[0]
    client = ApiClient(api_desk, _key(page))
    assert (await client.post_message("c-1", "Ivan", "Hello"))[0] == 201
    await api_desk.settle()

    status, page = await admin.post("/admin/channels/api/shop/test")
    assert status == 200
    assert "Test event: the receiver answered 204." in as_seen(page)
    pings = receiver.of_type("ping")
    assert len(pings) == 1 and receiver.bad_signatures == 0  # signed like every call
    assert pings[0]["entry_point"] == "api:shop" and pings[0]["id"].startswith("evt_")
    shown = as_seen(page)
    assert "Last deliveries" in shown and "<code>conversation.opened</code>" in shown
    assert "<td>sent</td><td>0</td>" in page  # its status and failed attempts

    receiver.fail_always = True
    status, page = await admin.post("/admin/channels/api/shop/test")
    assert status == 200
    assert "Test event: failed. Failed: the webhook answered 500" in as_seen(page)
    assert len(receiver.of_type("ping")) == 1

    assert (await admin.post("/admin/channels/api/shop/test", csrf=False))[0] == 403
    assert (await admin.post("/admin/channels/api/nope/test"))[0] == 404
    supervisor = PanelClient(api_desk.url)
    try:
        await supervisor_signed_in(supervisor)
        assert (await supervisor.post("/admin/channels/api/shop/test"))[0] == 403
    finally:
        await supervisor.close()
    tests = await AuditEntry.filter(action="entry_point.webhook_test").order_by("id")
    assert [(e.actor_name, e.new_value) for e in tests] == [
        ("web:boss", "204"),
        ("web:boss", "failed"),
    ]


async def test_a_web_chats_pre_chat_form_is_set_in_the_panel(
    api_desk: Desk, admin: PanelClient
) -> None:
    form = {"slug": "site", "name": "Site", "line": "default", "origin": "https://shop.example"}
    await admin.post("/admin/channels/webchat", form)
    webchat = await WebchatEntryPoint.get()
    assert (webchat.form_name, webchat.form_email) == ("off", "off")

    status, page = await admin.post(
        "/admin/channels/webchat/site/form", {"name": "optional", "email": "required"}
    )
    assert status == 200 and "Saved." in page
    await webchat.refresh_from_db()
    assert (webchat.form_name, webchat.form_email) == ("optional", "required")
    assert '<option value="required" selected>' in page

    status, page = await admin.post(
        "/admin/channels/webchat/site/form", {"name": "maybe", "email": "off"}
    )
    assert status == 400 and "'maybe' should be off, optional or required" in as_seen(page)
    await webchat.refresh_from_db()
    assert (webchat.form_name, webchat.form_email) == ("optional", "required")
    assert (await admin.post("/admin/channels/webchat/site/form", {}, csrf=False))[0] == 403
    entries = await AuditEntry.filter(action="entry_point.form")
    assert [(e.actor_name, e.new_value) for e in entries] == [
        ("web:boss", "name optional, email required")
    ]
