"""Ready-made rules: the four examples of Omnidesk's "support lines in chats" article, for a
desk where some operators work on calls (a line of their own, say `calls`) and write to
customers now and then, while the chat team answers in the customers' line.

Each template is data with two blanks, filled by `fill`: `{calls_line}` (the slug of the
line whose members seldom work in chats) and `{chat_operator}` (the chat operator who takes
over, as an operator reference: `telegram:<id>`, `slack:<id>`, `@username` or a number).

How the article's words map onto Relaydesk: "finish the chat, status waiting" is the `wait`
action (snoozed until the customer writes); a waiting conversation the customer writes to
goes back to its line's queue for whoever is free, unless a rule keeps it with its assignee
(template 4). In Omnidesk an operator's message into a closed chat opens a new chat and
incoming rules run; in Relaydesk the operator reopens the closed conversation (`/reopen`),
a change, so template 1 sits at the top of the list for changed conversations.
"""

from __future__ import annotations

import json
from typing import Any

TEMPLATES: dict[str, dict[str, Any]] = {
    "calls_operator_reopens_closed": {
        "kind": "changed",
        "name": "Reopened by a calls operator: hand it to the chat team",
        "conditions": [
            {"event": "status"},
            {"status": ["open", "queued"]},
            {"author_in_line": "{calls_line}"},
        ],
        "actions": [{"assign": "{chat_operator}"}],
        "stop": True,
    },
    "calls_operator_writes_to_waiting": {
        "kind": "changed",
        "name": "A calls operator wrote into a waiting or open chat: finish it for the chat team",
        "conditions": [
            {"event": "operator_message"},
            {"status": ["snoozed", "open"]},
            {"author_in_line": "{calls_line}"},
        ],
        "actions": [{"assign": "{chat_operator}"}, {"wait": True}],
        "stop": True,
    },
    "calls_operator_became_assignee": {
        "kind": "changed",
        "name": "A calls operator became the assignee: finish it for the chat team",
        "conditions": [
            {"event": ["assignee", "operator_message"]},
            {"assignee": {"in_line": "{calls_line}"}},
        ],
        "actions": [{"assign": "{chat_operator}"}, {"wait": True}],
        "stop": True,
    },
    "keep_reactivated_with_chat_assignee": {
        "kind": "changed",
        "name": "A waiting chat the customer wakes stays with its chat assignee",
        "conditions": [
            {"event": "reactivated"},
            {"assignee": {"is": "{chat_operator}"}},
        ],
        "actions": [{"status": "open"}],
    },
}


def fill(template: str, **blanks: str) -> dict[str, Any]:
    """The template named `template` with its blanks filled, ready for `save_rule`."""
    text = json.dumps(TEMPLATES[template])
    for key, value in blanks.items():
        text = text.replace("{" + key + "}", json.dumps(value)[1:-1])
    return json.loads(text)
