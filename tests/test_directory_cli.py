"""Admins set up lines, operators and members with `relaydesk` sub-commands; lines' business
hours are checked and read in the line's time zone. Importing a whole file is in
test_directory_import.py.

The CLI runs its own event loop (`asyncio.run`), so these stories are plain functions; they
look into the database through `in_database`, which opens and closes it the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.directory import DirectoryError
from bot.directory.business_hours import is_open
from bot.directory.checks import check_line
from storage.models import AuditEntry, Line
from tests.fakes.cli import in_database

# --- sub-commands -----------------------------------------------------------------------------


def test_admin_adds_and_removes_members_from_the_command_line(relaydesk, database_url: str) -> None:
    code, out, _ = relaydesk(
        "lines", "add", "support", "--name", "Support", "--workspace", "telegram:-100500"
    )
    assert (code, out) == (0, "Line support created in telegram:-100500.\n")

    assert relaydesk("members", "add", "support", "telegram:111")[1] == (
        "telegram:111 added to line support.\n"
    )
    relaydesk("operators", "set", "telegram:111", "--name", "Olga", "--telegram-username", "olga")
    relaydesk("operators", "add", "--name", "Petro", "--slack-id", "U0PETRO", "--status", "busy")
    assert relaydesk("members", "add", "support", "slack:U0PETRO")[0] == 0
    assert relaydesk("members", "add", "support", "@OLGA")[1] == (
        "Olga is already a member of line support.\n"
    )

    out = relaydesk("members", "list", "support")[1]
    assert out.splitlines()[0].split() == ["ID", "NAME", "STATUS", "ROLE", "CAPACITY", "ACCOUNTS"]
    assert out.splitlines()[1].split() == [
        "1",
        "Olga",
        "free",
        "operator",
        "5",
        "telegram:111",
        "@olga",
    ]
    assert out.splitlines()[2].split()[:3] == ["2", "Petro", "busy"]

    assert relaydesk("members", "remove", "support", "2")[1] == "Petro removed from line support.\n"
    code, _, err = relaydesk("members", "remove", "support", "slack:U0PETRO")
    assert (code, err) == (2, "error: Petro is not a member of line 'support'\n")
    code, _, err = relaydesk("members", "add", "sales", "@olga")
    assert (code, err) == (2, "error: there is no line 'sales'\n")

    actions = in_database(
        database_url, lambda: AuditEntry.all().order_by("id").values_list("action", flat=True)
    )
    assert [a for a in actions if a.startswith("member.")] == [
        "member.added",
        "member.added",
        "member.removed",
    ]


def test_lines_are_changed_and_removed_but_never_with_their_history(
    relaydesk, database_url: str
) -> None:
    relaydesk("lines", "add", "support", "--name", "Support", "--workspace", "telegram:-100500")
    code, _, err = relaydesk(
        "lines", "add", "vip", "--name", "VIP", "--workspace", "telegram:-100500"
    )
    assert (code, err) == (2, "error: workspace: telegram:-100500 is already line 'support'\n")

    hours = '{"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00"}}'
    code, out, _ = relaydesk(
        "lines", "set", "support", "--business-hours", hours, "--csat", "no", "--topics", "A, B"
    )
    assert out == "Line support updated.\n"
    assert relaydesk("lines", "set", "support", "--csat", "no")[1] == (
        "Line support: nothing to change.\n"
    )
    code, _, err = relaydesk(
        "lines", "set", "support", "--business-hours", '{"days": {"mon": "9-18"}}'
    )
    assert (code, err) == (2, "error: business_hours: mon: '9-18' is not HH:MM-HH:MM\n")
    line = in_database(database_url, lambda: Line.get(slug="support"))
    assert (line.csat_enabled, line.topics) == (False, ["A", "B"])

    relaydesk("entry-points", "set", "telegram:42", "support")
    code, _, err = relaydesk("lines", "remove", "support")
    assert code == 2 and "telegram:42 feed line 'support'" in err
    relaydesk("lines", "add", "other", "--name", "Other", "--workspace", "slack:C0OTHER")
    relaydesk("entry-points", "set", "telegram:42", "other")
    assert relaydesk("lines", "remove", "support") == (0, "Line support removed.\n", "")
    assert [s.split()[0] for s in relaydesk("lines", "list")[1].splitlines()] == ["SLUG", "other"]


def test_an_operator_status_set_from_the_cli_is_audited_like_one_set_in_chat(
    relaydesk, database_url: str
) -> None:
    relaydesk("operators", "add", "--name", "Olga", "--telegram-id", "111")
    assert relaydesk("operators", "set", "telegram:111", "--status", "dnd")[0] == 0
    entries = in_database(database_url, lambda: AuditEntry.filter(action="status").values())
    assert [(e["old_value"], e["new_value"], e["actor_name"]) for e in entries] == [
        ("free", "dnd", "cli")
    ]

    code, _, err = relaydesk("operators", "add", "--name", "Twin", "--telegram-id", "111")
    assert code == 2 and "telegram_user_id: already belongs to operator 1 (Olga)" in err
    code, _, err = relaydesk("operators", "add", "--name", "Ghost")
    assert code == 2 and "needs telegram_user_id or slack_user_id" in err


# --- business hours ---------------------------------------------------------------------------

KYIV_WEEKDAYS = {"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00", "sat": None}}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 1, 5, 6, 59, tzinfo=UTC), False),  # Monday 08:59 in Kyiv (UTC+2)
        (datetime(2026, 1, 5, 7, 0, tzinfo=UTC), True),  # 09:00 in Kyiv
        (datetime(2026, 1, 5, 15, 59, tzinfo=UTC), True),  # 17:59
        (datetime(2026, 1, 5, 16, 0, tzinfo=UTC), False),  # 18:00: closed
        (datetime(2026, 7, 6, 6, 30, tzinfo=UTC), True),  # summer, UTC+3: 09:30
        (datetime(2026, 1, 10, 12, 0, tzinfo=UTC), False),  # Saturday is null
        (datetime(2026, 1, 6, 12, 0, tzinfo=UTC), False),  # Tuesday is missing
    ],
)
def test_business_hours_are_read_in_the_lines_timezone(at: datetime, expected: bool) -> None:
    assert is_open(KYIV_WEEKDAYS, at, default_tz="UTC") is expected


def test_the_weekday_is_the_lines_not_utcs() -> None:
    early_monday = {"timezone": "Asia/Tokyo", "days": {"mon": "00:00-06:00"}}
    sunday_evening_utc = datetime(2026, 1, 4, 20, 0, tzinfo=UTC)  # Monday 05:00 in Tokyo
    assert is_open(early_monday, sunday_evening_utc, default_tz="UTC")
    assert not is_open({"days": {"mon": "00:00-06:00"}}, sunday_evening_utc, default_tz="UTC")
    assert is_open({"days": {"sun": "20:00-21:00"}}, sunday_evening_utc, default_tz="UTC")


def test_no_business_hours_means_always_open() -> None:
    assert is_open(None, datetime(2026, 1, 4, 3, 0, tzinfo=UTC), default_tz="Europe/Kyiv")


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"timezone": "Mars/Olympus", "days": {}}, "unknown time zone 'Mars/Olympus'"),
        ({"days": {"monday": "09:00-18:00"}}, "unknown day 'monday'"),
        ({"days": {"mon": "18:00-09:00"}}, "'18:00-09:00' ends before it starts"),
        ({"days": {"mon": "09:00-24:00"}}, "'09:00-24:00' is not a time of day"),
        ({"timezone": "UTC"}, 'must look like {"timezone"'),
    ],
)
def test_wrong_business_hours_are_explained(hours: dict[str, Any], message: str) -> None:
    with pytest.raises(DirectoryError, match="^business_hours: ") as caught:
        check_line({"business_hours": hours}, new=False)
    assert message in str(caught.value)


def test_the_web_chats_pre_chat_form_is_set_from_the_command_line(relaydesk) -> None:
    relaydesk("lines", "add", "support", "--name", "Support", "--workspace", "telegram:-100500")
    relaydesk("webchat", "add", "shop", "support", "--origin", "https://shop.example")
    code, out, _ = relaydesk("webchat", "form", "shop", "--email", "required")
    assert (code, out) == (0, "Pre-chat form of webchat:shop: name off, email required\n")
    code, out, _ = relaydesk("webchat", "form", "shop", "--name", "optional")
    assert out == "Pre-chat form of webchat:shop: name optional, email required\n"
    assert "name optional, email required" in relaydesk("webchat", "list")[1]
    with pytest.raises(SystemExit) as refused:
        relaydesk("webchat", "form", "shop", "--email", "maybe")
    assert refused.value.code == 2
    code, _, err = relaydesk("webchat", "form", "nope", "--email", "off")
    assert code != 0 and "there is no web chat entry point 'nope'" in err
