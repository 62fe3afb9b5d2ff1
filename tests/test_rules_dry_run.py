"""The dry run in the core: the rules a sample would set off, in order, with what each would
do in words, and a condition that cannot fit its list refused when the rule is saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.base.i18n import english
from bot.directory import DirectoryError
from bot.rules.dry_run import Sample, dry_run, facts_of_sample
from bot.rules.schema import check_rule
from storage.models import RuleKind
from tests.fakes.desk import Desk
from tests.fakes.rules import add_rule

TUESDAY_AFTERNOON = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


def test_a_condition_that_cannot_hold_in_its_list_is_refused_in_words() -> None:
    incoming = {"kind": "incoming", "name": "x", "actions": [{"note": "n"}]}
    with pytest.raises(DirectoryError) as refused:
        check_rule(incoming | {"conditions": [{"author": "operator"}]})
    assert refused.value.field == "conditions[0].author"
    assert "only rules for changed conversations can look at who acted" in str(refused.value)
    with pytest.raises(DirectoryError):
        check_rule(incoming | {"kind": "changed", "conditions": [{"first_message": True}]})


async def test_a_sample_meets_the_rules_in_order_and_a_stop_ends_the_list(desk: Desk) -> None:
    await add_rule(
        desk,
        kind="incoming",
        name="Later",
        conditions=[{"weekday": ["tue", "wed"]}, {"time": "14:00-18:00"}],
        actions=[{"snooze": "2h"}, {"topic": "Callback"}],
        stop=True,
    )
    await add_rule(desk, kind="incoming", name="Never reached", actions=[{"note": "x"}])
    facts = await facts_of_sample(Sample(text="Call me", at=TUESDAY_AFTERNOON), "UTC")

    verdicts = await dry_run(RuleKind.INCOMING, facts)

    later, never = verdicts
    assert (later.fires, later.stop, [holds for _, holds in later.conditions]) == (
        True,
        True,
        [True, True],
    )
    assert [english(t) for t in later.deeds] == [
        "would snooze it until 2026-11-24 16:30",
        "would set the topic to Callback",
    ]
    assert (never.fires, never.reached, never.deeds) == (False, False, ())

    evening = await facts_of_sample(
        Sample(text="Call me", at=TUESDAY_AFTERNOON.replace(hour=19)), "UTC"
    )
    later, never = await dry_run(RuleKind.INCOMING, evening)
    assert [holds for _, holds in later.conditions] == [True, False]
    assert not later.fires and never.fires and never.reached
