"""What the admin panel's tests of contacts, lines, operators, sign-ins and quick replies share: a
browser on the desk, the people in the stories, and how they sign in and write."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import AsyncIterator

import pytest

from storage.models import Operator
from tests.fakes.admin import PanelClient, make_account
from tests.fakes.desk import OPERATOR_CHAT, Desk
from tests.fakes.staff import hire

CUSTOMER = 5001
OLGA, PETRO = 1001, 1002
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(name="browser")
async def browser_fixture(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


async def signed_in(browser: PanelClient, name: str, role: str = "admin", operator=None) -> None:
    await make_account(name, role, operator=operator)
    status, _ = await browser.sign_in(name)
    assert status == 200


# --- contacts ----------------------------------------------------------------------------------

ANNA, ANYA, BORIS = 5001, 5002, 5003


async def customer_writes(
    desk: Desk, user_id: int, name: str, text: str, username: str | None = None
):
    desk.fake.add_user(user_id, name, username=username)
    desk.fake.user_sends(user_id, text)
    await desk.settle()


async def customer_writes_again(desk: Desk, user_id: int, text: str) -> None:
    desk.fake.user_sends(user_id, text)
    await desk.settle()


async def olga_closes(desk: Desk, name: str) -> None:
    thread = desk.topic_of(name)["message_thread_id"]
    desk.fake.member_sends(OPERATOR_CHAT, OLGA, "/close solved", thread_id=thread)
    await desk.settle()


# --- lines and operators -----------------------------------------------------------------------


def line_form(**changes: str) -> dict[str, str]:
    form = {
        "slug": "vip",
        "name": "VIP customers",
        "workspace": "telegram:-1009999",
        "routing_policy": "least_busy",
        "reply_mode": "all",
        "day_mon": "9:00 - 18:00",
        "day_fri": "09:00-17:00",
        "timezone": "Europe/Kyiv",
        "greeting": "Hello!\r\nAn operator will answer shortly.",
        "out_of_hours_message": "We are closed.",
        "closing_message": "",
        "topics": "Billing\r\n\r\nDelivery\r\n",
        "auto_close_minutes": "1440",
    }
    return form | changes


# --- sign-ins and my account -------------------------------------------------------------------

SECRET = "olga's own secret"


@pytest.fixture(name="olga_browser")
async def olga_browser_fixture(desk: Desk) -> AsyncIterator[PanelClient]:
    client = PanelClient(desk.url)
    yield client
    await client.close()


# --- quick replies -----------------------------------------------------------------------------


async def boss_signed_in(browser: PanelClient) -> None:
    await make_account("boss")
    status, _ = await browser.sign_in("boss")
    assert status == 200


async def supervisor_signed_in(browser: PanelClient) -> Operator:
    """Olga supervises the default line; she has no say over the "sales" line."""
    olga = await hire("default", "Olga", telegram=OLGA)
    await make_account("olga", role="supervisor", operator=olga)
    await browser.sign_in("olga")
    return olga


def reply_form(name: str, scope: str = "global", **fields: str) -> dict[str, str]:
    form = {"name": name, "scope": scope, "text_en": "", "text_ru": "", "text_uk": ""}
    return form | fields


def as_seen(html: str) -> str:
    """The page as a reader sees it: entities decoded, whitespace collapsed."""
    return " ".join(htmllib.unescape(html).split())


_TAG = re.compile(r"<[^>]+>")


def seen_words(page: str) -> str:
    """The words of the page, without its markup."""
    return as_seen(_TAG.sub(" ", page))
