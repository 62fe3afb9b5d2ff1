"""Guessing passwords in parallel: thirty guesses sent at once get no more password checks
than five sent one by one, on the sign-in form and on My account, with the counts kept in
the process or in Redis. A guess answered "wrong" is a check that ran; a 429 is one that
did not."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from admin_web.throttle import MAX_FAILURES
from bot.people.accounts import authenticate
from tests.fakes.admin import PASSWORD, PanelClient, make_account
from tests.fakes.desk import Desk
from tests.fakes.redis_db import SHARED, redis_url
from tests.fakes.telegram import FakeTelegram

REDIS_URL = redis_url(SHARED)
BURST = 30
WRONG = "Wrong name or password."
TOO_MANY = "Too many attempts. Try again in 15 minutes."
SECONDS = 60
# Other test runs share Redis DB 14 and sign in from 127.0.0.1 (a success clears its
# counts): the attacker comes from an address and guesses at a name of their own.
ATTACKER = "127.0.0.30"
ATTACKERS_COUNT = f"relaydesk:login-failures:ip:{ATTACKER}"


@pytest.fixture(params=["in memory", "in redis"])
async def panel(
    request: pytest.FixtureRequest, fake_telegram: FakeTelegram, database_url: str
) -> AsyncIterator[Desk]:
    """A desk whose sign-in counts live in the process, or in Redis as with several
    instances."""
    if request.param == "in memory":
        desk = await Desk(fake_telegram, database_url).start()
        yield desk
        await desk.stop()
        return
    client = aioredis.from_url(REDIS_URL)
    await client.delete(ATTACKERS_COUNT)  # not FLUSHDB: other runs may be using the database
    desk = await Desk(fake_telegram, database_url, redis_url=REDIS_URL).start()
    yield desk
    await desk.stop()
    await client.delete(ATTACKERS_COUNT)
    await client.aclose()


@pytest.fixture
async def boss(panel: Desk) -> str:
    """The name of the admin account under attack."""
    name = f"boss_{uuid.uuid4().hex[:8]}"
    await make_account(name)
    return name


@pytest.fixture
async def browsers(panel: Desk) -> AsyncIterator[list[PanelClient]]:
    """Thirty browsers of one attacker (one address), each at the sign-in form."""
    clients = [PanelClient(panel.url, source_address=ATTACKER) for _ in range(BURST)]
    await asyncio.gather(*(client.get("/admin/login") for client in clients))
    yield clients
    await asyncio.gather(*(client.close() for client in clients))


async def _at_once(*posts) -> list[tuple[int, str]]:
    async with asyncio.timeout(SECONDS):
        return await asyncio.gather(*posts)


def _tally(answers: list[tuple[int, str]]) -> tuple[int, int]:
    """(how many guesses were checked and wrong, how many were refused unchecked)"""
    wrong = sum(1 for status, html in answers if status == 400 and WRONG in html)
    refused = sum(1 for status, html in answers if status == 429 and TOO_MANY in html)
    return wrong, refused


async def test_thirty_guesses_at_once_get_five_checks_and_then_the_right_password_waits(
    panel: Desk, boss: str, browsers: list[PanelClient]
) -> None:
    answers = await _at_once(
        *(
            client.post("/admin/login", {"username": boss, "password": f"guess {n}"})
            for n, client in enumerate(browsers)
        )
    )

    assert _tally(answers) == (MAX_FAILURES, BURST - MAX_FAILURES)
    latecomer = PanelClient(panel.url, source_address=ATTACKER)
    try:
        status, html = await latecomer.sign_in(boss, PASSWORD)
        assert status == 429 and TOO_MANY in html and "<h1>Dashboard</h1>" not in html
    finally:
        await latecomer.close()


async def test_guesses_at_many_names_at_once_count_for_the_one_address(
    panel: Desk, boss: str, browsers: list[PanelClient]
) -> None:
    answers = await _at_once(
        *(
            client.post("/admin/login", {"username": f"user{n}", "password": "guess"})
            for n, client in enumerate(browsers)
        )
    )

    assert _tally(answers) == (MAX_FAILURES, BURST - MAX_FAILURES)
    status, html = await browsers[0].sign_in(boss, PASSWORD)
    assert status == 429 and TOO_MANY in html


async def test_the_right_password_in_time_signs_in_and_clears_the_count(
    panel: Desk, boss: str, browsers: list[PanelClient]
) -> None:
    guesses = browsers[: MAX_FAILURES - 1]
    answers = await _at_once(
        *(c.post("/admin/login", {"username": boss, "password": "guess"}) for c in guesses)
    )
    assert _tally(answers) == (MAX_FAILURES - 1, 0)

    status, html = await browsers[-1].sign_in(boss, PASSWORD)
    assert status == 200 and "<h1>Dashboard</h1>" in html
    status, html = await browsers[0].sign_in(boss, "one more guess")
    assert status == 400 and WRONG in html  # counted afresh


async def test_a_burst_of_current_password_guesses_on_my_account_gets_five_checks(
    panel: Desk, boss: str
) -> None:
    borrowed = PanelClient(panel.url, source_address=ATTACKER)  # a session left open
    try:
        status, _html = await borrowed.sign_in(boss)
        assert status == 200
        await borrowed.get("/admin/account")
        new = "x" * 12
        answers = await _at_once(
            *(
                borrowed.post(
                    "/admin/account/password",
                    {"current_password": f"guess {n}", "password": new, "password_again": new},
                )
                for n in range(BURST)
            )
        )
        checked = [html for status, html in answers if status == 400]
        refused = [html for status, html in answers if status == 429]
        assert len(checked) == MAX_FAILURES and len(refused) == BURST - MAX_FAILURES
        assert all("The current password is wrong." in html for html in checked)
        assert all("Too many attempts" in html for html in refused)

        status, html = await borrowed.post(
            "/admin/account/password",
            {"current_password": PASSWORD, "password": new, "password_again": new},
        )
        assert status == 429 and "Too many attempts" in html
        assert await authenticate(boss, PASSWORD) and not await authenticate(boss, new)
    finally:
        await borrowed.close()
