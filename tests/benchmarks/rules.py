"""What evaluating the rules costs: 200 enabled rules of varied conditions, none of which
stops the list (so every one is looked at), evaluated for one event's facts, many times;
CPU time per event against issue 14's budget of 1 ms. Reading the facts (a few queries,
only when rules exist) is not counted: it does not grow with the number of rules.

    .venv/bin/python -m tests.benchmarks.rules [--rules 200] [--events 20000]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.directory.business_hours import DAYS
from bot.rules.book import LoadedRule, matching
from bot.rules.conditions import compile_condition
from bot.rules.facts import Facts
from storage.models import RuleKind

BUDGET_MS = 1.0
TEXT = "Hello! My order 123456 has not arrived yet, could you check the delivery? " * 4


def _conditions(index: int) -> list[dict[str, Any]]:
    """Conditions like a desk's: mostly cheap comparisons, some texts, a regex in ten."""
    shapes: list[list[dict[str, Any]]] = [
        [{"event": "new_conversation"}, {"channel": "telegram"}, {"line": f"line-{index}"}],
        [{"text_contains": [f"word{index}", "refund"]}, {"status": ["open", "queued"]}],
        [{"contact_tag": f"tag{index}"}, {"language": ["ru", "uk"]}],
        [{"business_hours": "outside"}, {"weekday": ["sat", "sun"]}],
        [{"time": "22:00-23:00"}, {"age_minutes": {"over": 60}}],
        [{"assignee": "none"}, {"author": "operator"}],
        [{"contact_field": {"company": f"acme{index}"}}],
        [{"entry_point": f"bot{index}"}, {"first_message": False}],
        [{"earlier_conversations": {"at_least": 100}}],
        [{"text_matches": rf"order\s*+#?{index}\d{{3}}"}],
    ]
    return shapes[index % len(shapes)]


def build_rules(count: int) -> list[LoadedRule]:
    rules = []
    for index in range(count):
        conditions = _conditions(index)
        predicates = tuple(
            compile_condition(name, value, RuleKind.INCOMING, {})
            for item in conditions
            for name, value in item.items()
        )
        rules.append(LoadedRule(index, f"rule {index}", True, predicates, ({"note": "x"},), False))
    return rules


def facts() -> Facts:
    now = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
    return Facts(
        event="new_conversation",
        now=now,
        channel="telegram",
        entry_point="@relaydesk_bot",
        line="default",
        line_hours={"timezone": "Europe/Kyiv", "days": dict.fromkeys(DAYS, "09:00-18:00")},
        timezone="Europe/Kyiv",
        status="queued",
        assignee_id=None,
        author="customer",
        author_id=None,
        text=TEXT,
        tags=frozenset({"regular"}),
        contact_fields={"name": "ivan", "phone": "", "email": "", "company": "globex"},
        language="en",
        first_message=True,
        created_at=now - timedelta(seconds=1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    rules, event = build_rules(args.rules), facts()
    matching(rules, event)  # warm up
    started = time.process_time()
    for _ in range(args.events):
        matching(rules, event)
    per_event_ms = (time.process_time() - started) / args.events * 1000
    verdict = "within" if per_event_ms <= BUDGET_MS else "OVER"
    print(
        f"{args.rules} enabled rules, {args.events} events: {per_event_ms * 1000:.0f} µs of CPU "
        f"per event ({verdict} the {BUDGET_MS:.0f} ms budget)"
    )


if __name__ == "__main__":
    main()
