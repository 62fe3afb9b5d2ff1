"""Admins set up lines, operators, members, quick replies and entry points by importing a YAML
or TOML file with `relaydesk import`: all of it or nothing, and the same file twice changes
nothing.

The CLI runs its own event loop (`asyncio.run`), so these stories are plain functions; they
look into the database through `in_database`, which opens and closes it the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.models import AuditEntry, EntryPoint, Line, LineMember, Operator, QuickReply
from tests.fakes.cli import in_database

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


def test_admin_imports_a_yaml_file_with_two_lines_and_three_operators(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    code, out, err = relaydesk("import", _write(tmp_path, "team.yaml", TEAM_YAML))
    assert (code, err) == (0, "")
    assert "lines: 2 created, 0 updated, 0 unchanged" in out
    assert "operators: 3 created, 0 updated, 0 unchanged" in out
    assert "members: 3 created" in out

    support = in_database(database_url, lambda: Line.get(slug="support"))
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
    olga = in_database(database_url, lambda: Operator.get(telegram_user_id=111111))
    assert (olga.name, olga.role, olga.capacity, olga.language) == ("Olga", "supervisor", 8, "uk")


def test_importing_the_same_file_twice_changes_nothing(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, "team.yaml", TEAM_YAML)
    assert relaydesk("import", path)[0] == 0
    before = in_database(database_url, _everything)

    code, out, _ = relaydesk("import", path)
    assert code == 0
    assert "lines: 0 created, 0 updated, 2 unchanged" in out
    assert "Nothing changed" in out
    assert in_database(database_url, _everything) == before


def test_an_edited_file_updates_only_what_changed(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    relaydesk("import", _write(tmp_path, "team.yaml", TEAM_YAML))
    edited = TEAM_YAML.replace("routing_policy: manual", "routing_policy: round_robin")
    code, out, _ = relaydesk("import", _write(tmp_path, "team.yaml", edited))
    assert code == 0 and "lines: 0 created, 1 updated, 1 unchanged" in out

    entry = in_database(database_url, lambda: AuditEntry.filter(action="line.updated").get())
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
    assert in_database(database_url, lambda: Operator.all().count()) == 0


def test_a_file_that_clashes_with_the_database_is_rolled_back_whole(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    """Valid on its own, the file names a line that exists nowhere: found only while applying,
    after its lines and operators were written, and all of it is undone."""
    clash = TEAM_YAML.replace("line: support, texts", "line: sales, texts")
    code, _, err = relaydesk("import", _write(tmp_path, "team.yaml", clash))
    assert code == 2
    assert err.strip() == "error: quick_replies[1]: there is no line 'sales'"
    assert in_database(database_url, _everything) == {
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

    line = in_database(database_url, lambda: Line.get(slug="support"))
    assert line.business_hours["days"] == {"mon": "08:00-16:00", "fri": "08:00-12:00"}
    reply = in_database(
        database_url, lambda: QuickReply.get(name="sign").prefetch_related("operator")
    )
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
