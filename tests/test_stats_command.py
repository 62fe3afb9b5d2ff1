"""`!stats` (and `/stats` in Telegram) in chat: the operator's own figures of today and the
last seven days, told the same in a Telegram forum and in a Slack thread."""

from __future__ import annotations

import re

import pytest

from tests.fakes.workspaces import Workspace

pytestmark = pytest.mark.timeout(60)
CUSTOMER = 5001


async def test_an_operator_reads_their_figures_of_today_and_the_week(
    workspace: Workspace,
) -> None:
    desk = workspace.desk
    desk.fake.add_user(CUSTOMER, "Ivan", language_code="en")
    desk.fake.user_sends(CUSTOMER, "Where is my parcel?")
    await desk.settle()
    thread = workspace.thread()

    desk.clock.advance(minutes=2)
    await workspace.say(thread, "It left the warehouse this morning.")
    await desk.settle()
    await workspace.say(thread, "!stats")
    await desk.settle()

    told = workspace.texts(thread)[-1]
    assert "Figures of your conversations (UTC):" in told, told
    # Two minutes on the desk's clock, plus the real moments the first message waited.
    today = r"Today: 1 new, 0 closed, 0 missed; reaction 0:02:0\d, handling —; CSAT —"
    assert re.search(today, told), told
    assert re.search(r"Last 7 days: 1 new, 0 closed, 0 missed; reaction 0:02:0\d", told), told
