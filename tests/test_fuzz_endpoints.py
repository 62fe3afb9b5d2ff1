"""A bounded run of the endpoint fuzz (tests/fuzz): generated Telegram updates, API bodies and
Slack events and actions through the real webhook, API and Slack endpoint, no 5xx, forged
Slack signatures refused, and nothing half-written in the database after."""

from __future__ import annotations

from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.fuzz.run import check_invariants, drive, fuzz_desk, generate
from tests.fuzz.strategies import CUSTOMERS

CASES = 50  # per database
SEED = 17


async def test_generated_requests_get_no_5xx_and_leave_whole_rows(
    fake_telegram: FakeTelegram, fake_slack: FakeSlack, database_url: str
) -> None:
    for user_id in CUSTOMERS:
        fake_telegram.add_user(user_id, f"Customer {user_id}")
    drawn = generate(CASES, SEED)
    assert {case.endpoint for case in drawn} == {"telegram", "api", "slack"}
    async with fuzz_desk(fake_telegram, fake_slack, database_url) as desk:
        statuses = await drive(desk, drawn)
        await desk.settle(timeout=30)
        await check_invariants()
    assert sum(statuses.values()) == len(drawn)
