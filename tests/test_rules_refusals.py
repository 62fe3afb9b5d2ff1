"""Bad rules are refused in plain words when saved; a regular expression cannot stall the desk."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.base.i18n import Translator
from bot.directory import DirectoryError
from bot.rules import safe_regex
from bot.rules.schema import check_rule
from bot.rules.store import save_rule
from storage.models import Rule
from tests.fakes.desk import Desk

GOOD: dict[str, Any] = {
    "kind": "incoming",
    "name": "Refunds",
    "conditions": [{"text_matches": r"refund|money back"}],
    "actions": [{"note": "a refund question"}],
}


def _refusal(**changes: Any) -> str:
    with pytest.raises(DirectoryError) as caught:
        check_rule(GOOD | changes)
    return str(caught.value)


def test_an_invalid_regular_expression_is_refused_in_plain_words() -> None:
    said = _refusal(conditions=[{"text_matches": "order ("}])
    assert said.startswith("conditions[0].text_matches: 'order (' is not a valid regular")


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a+)+$", "a repeat inside a repeat"),
        (r"(a|ab)*c", "a repeated choice"),
        (r"(\w+)\1", "back-references"),
        (r"a*b*c", "one open-ended repeat"),
        (r".*refund.*", "a leading or trailing .* is not needed"),
    ],
)
def test_a_pattern_that_could_run_away_is_refused(pattern: str, words: str) -> None:
    assert words in _refusal(conditions=[{"text_matches": pattern}])


def test_the_worst_pattern_allowed_stays_fast_on_the_longest_text() -> None:
    pattern = safe_regex.compile_safe(r"a*a?a?b")
    started = time.perf_counter()
    assert not safe_regex.search(pattern, "a" * 50_000)
    assert time.perf_counter() - started < 0.2


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"kind": "sometimes"}, "kind: must be incoming or changed"),
        ({"conditions": [{"mood": "happy"}]}, "unknown condition 'mood'"),
        ({"conditions": [{"event": "status"}]}, "'status' is not one of new_conversation"),
        ({"conditions": [{"status": "open", "line": "x"}]}, "must be one name and its value"),
        ({"conditions": [{"time": "18:00-09:00"}]}, "ends before it starts"),
        ({"actions": []}, "a rule needs at least one action"),
        ({"actions": [{"status": "waiting"}]}, "must be open or closed"),
        ({"actions": [{"snooze": "whenever"}]}, "must be opening"),
        ({"actions": [{"assign": "Olga"}]}, "'Olga' names no operator"),
    ],
)
def test_each_mistake_is_named_where_it_is(changes: dict[str, Any], words: str) -> None:
    assert words in _refusal(**changes)


def test_every_refusal_reads_in_the_operators_language() -> None:
    with pytest.raises(DirectoryError) as caught:
        check_rule(GOOD | {"conditions": [{"text_matches": r"(a+)+"}]})
    russian = Translator().render("ru", caught.value.located)
    assert "повтор" in russian


async def test_a_rule_naming_a_line_or_operator_that_does_not_exist_is_not_saved(
    desk: Desk,
) -> None:
    for changes, words in (
        ({"actions": [{"notify_line": "sales"}]}, "actions[0].notify_line: there is no line"),
        ({"actions": [{"assign": "telegram:4242"}]}, "there is no operator telegram:4242"),
        ({"conditions": [{"line": "nowhere"}]}, "conditions[0].line: there is no line"),
        ({"actions": [{"quick_reply": "hello"}]}, "there is no quick reply 'hello'"),
    ):
        with pytest.raises(DirectoryError) as caught:
            await save_rule(GOOD | changes)
        assert words in str(caught.value)
    assert await Rule.all().count() == 0

    rule, change = await save_rule(GOOD)
    assert (change, rule.position, rule.enabled) == ("created", 0, True)
    assert (await save_rule(GOOD))[1] == "unchanged"
