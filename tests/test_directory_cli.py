"""Admins set up lines, operators and members with `relaydesk` sub-commands and file imports.

The CLI runs its own event loop (`asyncio.run`), so these stories are plain functions; they
look into the database through `_db`, which opens and closes it the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.directory import DirectoryError
from bot.directory.business_hours import is_open
from bot.directory.checks import check_line
from relaydesk.cli.main import main
from storage import db
from storage.models import AuditEntry, EntryPoint, Line, LineMember, Operator, QuickReply

T = TypeVar("T")

TEAM_YAML = """\
lines:
  - slug: support
    name: Support
    workspace: telegram:-1001234567890
    routing_policy: least_busy
    business_hours:
      timezone: Europe/Kyiv
      days: {mon: "09:00-18:00", tue: "9:00 - 18:00", sat: null}
    greeting: Hello! An operator will answer shortly.
    topics: [Billing, Delivery]
    auto_close_minutes: 1440
    members: ["telegram:111111", "@petro_support"]
  - slug: vip
    name: VIP customers
    workspace: slack:C0VIPDESK
    routing_policy: manual
    reply_mode: marked
    csat_enabled: false

operators:
  - {name: Olga, telegram_user_id: 111111, role: supervisor, capacity: 8, language: uk}
  - {name: Petro, telegram_user_id: 222222, telegram_username: petro_support}
  - {name: Anna, slack_user_id: U0ANNA, status: away}

members:
  vip: ["slack:U0ANNA"]

quick_replies:
  - name: hello
    texts: {en: "Hello! How can I help?", uk: "Вітаю! Чим можу допомогти?"}
  - {name: refund, scope: line, line: support, texts: {en: "Refunds take 3-5 days."}}

entry_points:
  "telegram:7000000001": support
"""

TEAM_TOML = """\
[[lines]]
slug = "support"
name = "Support"
workspace = "telegram:-1001234567890"
routing_policy = "round_robin"
members = ["telegram:111111"]

[lines.business_hours]
timezone = "America/New_York"
days = { mon = "08:00-16:00", fri = "08:00-12:00" }

[[operators]]
name = "Olga"
telegram_user_id = 111111

[[quick_replies]]
name = "sign"
scope = "personal"
operator = "telegram:111111"
texts = { en = "Olga, Acme support" }
"""


@pytest.fixture
def relaydesk(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> Callable[..., tuple[int, str, str]]:
    """`relaydesk …` against the test database: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", database_url)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _db(database_url: str, query: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await db.connect(database_url)
        try:
            return await query()
        finally:
            await db.disconnect()

    return asyncio.run(run())


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


async def _everything() -> dict[str, Any]:
    """The whole directory, for "nothing changed" comparisons."""
    return {
        "lines": await Line.all().order_by("id").values(),
        "operators": await Operator.all().order_by("id").values(),
        "members": await LineMember.all().order_by("id").values(),
        "quick_replies": await QuickReply.all().order_by("id").values("id", "name", "texts"),
        "entry_points": await EntryPoint.all().order_by("id").values(),
        "audit": await AuditEntry.all().count(),
    }


# --- file import ------------------------------------------------------------------------------


def test_admin_imports_a_yaml_file_with_two_lines_and_three_operators(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    code, out, err = relaydesk("import", _write(tmp_path, "team.yaml", TEAM_YAML))
    assert (code, err) == (0, "")
    assert "lines: 2 created, 0 updated, 0 unchanged" in out
    assert "operators: 3 created, 0 updated, 0 unchanged" in out
    assert "members: 3 created" in out

    support = _db(database_url, lambda: Line.get(slug="support"))
    assert (support.workspace_kind, support.workspace_chat) == ("telegram", "-1001234567890")
    assert support.routing_policy == "least_busy"
    assert support.business_hours == {
        "timezone": "Europe/Kyiv",
        "days": {"mon": "09:00-18:00", "tue": "09:00-18:00", "sat": None},
    }
    assert support.topics == ["Billing", "Delivery"] and support.auto_close_minutes == 1440

    code, out, _ = relaydesk("members", "list", "support")
    assert [row.split()[1] for row in out.splitlines()[1:]] == ["Olga", "Petro"]
    code, out, _ = relaydesk("lines", "list")
    assert "vip      VIP customers  slack:C0VIPDESK" in out
    code, out, _ = relaydesk("entry-points", "list")
    assert "telegram:7000000001" in out and "support" in out
    olga = _db(database_url, lambda: Operator.get(telegram_user_id=111111))
    assert (olga.name, olga.role, olga.capacity, olga.language) == ("Olga", "supervisor", 8, "uk")


def test_importing_the_same_file_twice_changes_nothing(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, "team.yaml", TEAM_YAML)
    assert relaydesk("import", path)[0] == 0
    before = _db(database_url, _everything)

    code, out, _ = relaydesk("import", path)
    assert code == 0
    assert "lines: 0 created, 0 updated, 2 unchanged" in out
    assert "Nothing changed" in out
    assert _db(database_url, _everything) == before


def test_an_edited_file_updates_only_what_changed(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    relaydesk("import", _write(tmp_path, "team.yaml", TEAM_YAML))
    edited = TEAM_YAML.replace("routing_policy: manual", "routing_policy: round_robin")
    code, out, _ = relaydesk("import", _write(tmp_path, "team.yaml", edited))
    assert code == 0 and "lines: 0 created, 1 updated, 1 unchanged" in out

    entry = _db(database_url, lambda: AuditEntry.filter(action="line.updated").get())
    assert entry.actor_name == "cli"
    assert entry.details["changes"] == {"routing_policy": ["manual", "round_robin"]}


def test_a_line_with_an_unknown_routing_policy_is_refused_and_nothing_is_written(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    bad = TEAM_YAML.replace("routing_policy: manual", "routing_policy: fastest")
    bad = bad.replace("capacity: 8", "capacity: lots")
    code, out, err = relaydesk("import", _write(tmp_path, "team.yaml", bad))

    assert code == 2 and "Traceback" not in err
    assert err.splitlines() == [
        "error: lines[1].routing_policy: must be one of round_robin, least_busy, manual",
        "error: operators[0].capacity: must be a whole number, at least 0",
    ]
    assert relaydesk("lines", "list")[1].startswith("No lines yet")
    assert _db(database_url, lambda: Operator.all().count()) == 0


def test_a_file_that_clashes_with_the_database_is_rolled_back_whole(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    """Valid on its own, the file names a line that exists nowhere: found only while applying,
    after its lines and operators were written, and all of it is undone."""
    clash = TEAM_YAML.replace("line: support, texts", "line: sales, texts")
    code, _, err = relaydesk("import", _write(tmp_path, "team.yaml", clash))
    assert code == 2
    assert err.strip() == "error: quick_replies[1]: there is no line 'sales'"
    assert _db(database_url, _everything) == {
        "lines": [],
        "operators": [],
        "members": [],
        "quick_replies": [],
        "entry_points": [],
        "audit": 0,
    }


def test_admin_imports_a_toml_file(relaydesk, database_url: str, tmp_path: Path) -> None:
    code, out, err = relaydesk("import", _write(tmp_path, "team.toml", TEAM_TOML))
    assert (code, err) == (0, "")
    assert "quick_replies: 1 created" in out

    line = _db(database_url, lambda: Line.get(slug="support"))
    assert line.business_hours["days"] == {"mon": "08:00-16:00", "fri": "08:00-12:00"}
    reply = _db(database_url, lambda: QuickReply.get(name="sign").prefetch_related("operator"))
    assert (reply.scope, reply.operator.name, reply.texts) == (
        "personal",
        "Olga",
        {"en": "Olga, Acme support"},
    )
    assert "Nothing changed" in relaydesk("import", _write(tmp_path, "team.toml", TEAM_TOML))[1]


def test_a_broken_file_is_refused_with_its_position(relaydesk, tmp_path: Path) -> None:
    unquoted = '[[lines]]\nslug = "a"\nname = Support\n'
    code, _, err = relaydesk("import", _write(tmp_path, "team.toml", unquoted))
    assert code == 2 and "is not valid TOML" in err and "line 3" in err

    code, _, err = relaydesk("import", _write(tmp_path, "team.yaml", "lines:\n  - [x\n"))
    assert code == 2 and "is not valid YAML (line 3" in err

    code, _, err = relaydesk("import", _write(tmp_path, "team.yaml", "line:\n  - slug: a\n"))
    assert "error: line: unknown section" in err


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

    actions = _db(
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
    line = _db(database_url, lambda: Line.get(slug="support"))
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
    entries = _db(database_url, lambda: AuditEntry.filter(action="status").values())
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
