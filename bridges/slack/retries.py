"""Which Slack delivery a request is, so Slack's retries of it are handled once.

Slack retries an event (same body, same `event_id`) when it got no 2xx within three
seconds; interactivity payloads and slash commands carry a `trigger_id` unique to the one
click or command. Bolt itself does not dedupe."""

from __future__ import annotations

from typing import Any


def delivery_key(body: dict[str, Any]) -> str | None:
    """A key naming this delivery across retries, or None when the body names none."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return f"slack:event:{event_id}"
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return f"slack:trigger:{trigger}"
    user = body.get("user") or body.get("user_id")
    if isinstance(user, dict):
        user = user.get("id")
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    action_ts = body.get("action_ts") or (
        first.get("action_ts") if isinstance(first, dict) else None
    )
    if user and action_ts:
        return f"slack:action:{user}:{action_ts}"
    return None
