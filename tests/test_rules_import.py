"""Rules come from a YAML or TOML file like lines do: in the file's order, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import DirectoryError
from relaydesk.config_import import import_file
from storage.models import Rule
from tests.fakes.desk import Desk

RULES = """
rules:
  - name: Night
    kind: incoming
    conditions:
      - event: new_conversation
      - business_hours: outside
    actions:
      - reply: We are back at 9:00.
      - snooze: opening
      - stop: true
  - name: Refunds
    kind: incoming
    match: any
    conditions:
      - text_contains: [refund, money back]
      - text_matches: 'order\\s*+#?\\d{6}'
    actions:
      - note: a refund question
"""


async def test_rules_are_imported_in_the_files_order_and_a_second_import_changes_nothing(
    desk: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(RULES)

    report = await import_file(path)
    assert "rules: 2 created, 0 updated, 0 unchanged" in report.summary()
    rules = await Rule.all().order_by("position")
    assert [(r.name, r.position, r.stop, r.match) for r in rules] == [
        ("Night", 0, True, "all"),
        ("Refunds", 1, False, "any"),
    ]
    assert rules[0].actions == [{"reply": "We are back at 9:00."}, {"snooze": "opening"}]
    assert not (await import_file(path)).changed


async def test_a_bad_rule_in_a_file_is_refused_where_it_stands(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(RULES.replace(r"order\s*+#?\d{6}", "(a+)+"))
    with pytest.raises(DirectoryError) as caught:
        await import_file(path)
    assert "rules[1].conditions[1].text_matches: a repeat inside a repeat" in str(caught.value)
    assert await Rule.all().count() == 0
