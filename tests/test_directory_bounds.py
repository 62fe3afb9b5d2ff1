"""Numbers and names no column can hold, given to `relaydesk` commands and file imports: the
same checks as the admin panel's, said in plain words, with nothing written."""

from __future__ import annotations

from pathlib import Path

from storage.models import EntryPoint, Line, Operator
from tests.fakes.cli import in_database
from tests.test_directory_import import TEAM_YAML, _write

HUGE = "9" * 25


def test_an_import_with_numbers_past_their_columns_is_refused_whole(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    for old, new, said in (
        ("telegram_user_id: 111111", f"telegram_user_id: {HUGE}", "operators[0].telegram_user_id"),
        (
            "capacity: 8",
            f"capacity: {2**31}",
            f"capacity: must be a whole number, at most {2**31 - 1}",
        ),
        ("auto_close_minutes: 1440", "auto_close_minutes: 1000000000", "at most 525600"),
        ("telegram:-1001234567890", f"telegram:-{HUGE}", "workspace: must be telegram:<chat id>"),
        ("telegram:7000000001", f"telegram:{'7' * 200}", "is too long: at most 128 characters"),
    ):
        assert old in TEAM_YAML
        code, _, err = relaydesk(
            "import", _write(tmp_path, "team.yaml", TEAM_YAML.replace(old, new))
        )
        assert code == 2 and said in err and "Traceback" not in err, (new, err)
    assert in_database(database_url, lambda: Line.all().count()) == 0
    assert in_database(database_url, lambda: Operator.all().count()) == 0
    assert in_database(database_url, lambda: EntryPoint.all().count()) == 0


def test_commands_naming_what_no_column_holds_answer_in_plain_words(
    relaydesk, database_url: str, tmp_path: Path
) -> None:
    relaydesk("import", _write(tmp_path, "team.yaml", TEAM_YAML))

    for argv, said in (
        (("members", "add", "support", f"telegram:{HUGE}"), "names no operator"),
        (("members", "add", "support", HUGE), "names no operator"),
        (("members", "add", "support", "telegram:²"), "names no operator"),
        (("members", "remove", "support", "2147483648"), "names no operator"),
        (("lines", "set", "s" * 70, "--name", "Sales"), "there is no line"),
        (("lines", "set", "support", "--auto-close-minutes", HUGE), "at most 525600"),
        (("operators", "set", HUGE, "--capacity", "3"), "names no operator"),
    ):
        code, _, err = relaydesk(*argv)
        assert code == 2 and said in err and "Traceback" not in err, (argv, err)
    assert in_database(database_url, lambda: Operator.all().count()) == 3
