"""The fields our listeners read, checked for type before Bolt hands a body to them.

Slack always sends these as strings and objects; a signed body that does not is a forged or
broken one, and is answered 400 at the border rather than crashing a listener into a 500
that Slack would retry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bridges.webhook_body import BadBody

EVENT_STRINGS = ("type", "subtype", "channel", "user", "ts", "thread_ts", "text", "bot_id")
INTERACTION_TYPES = ("block_actions", "message_action", "shortcut", "interactive_message")
# Bolt reads the first of these bodies' actions before any listener runs.
WITH_ACTIONS = ("block_actions", "interactive_message")
# Ids and timestamps ("C0123ABC", "1700000000.000100") are short; they become keys we store.
IDS = {"channel", "user", "ts", "thread_ts", "id", "user_id", "channel_id", "bot_id"}
MAX_ID = 64


def check_delivery_shape(body: dict[str, Any]) -> None:
    if "command" in body:
        _strings(body, ("command", "text", "user_id", "channel_id", "trigger_id"), "command")
        _url(body, "command")
    elif body.get("type") == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict):
            raise BadBody("event_callback without an event object")
        _event(event, "event")
    elif isinstance(body.get("type"), str) and body["type"] in INTERACTION_TYPES:
        _interaction(body)


def _event(event: dict[str, Any], where: str) -> None:
    _strings(event, EVENT_STRINGS, where)
    if event.get("type") == "message":
        _required(event, ("channel", "ts"), where)
    for nested in ("message", "previous_message"):
        if nested in event:
            if not isinstance(event[nested], dict):
                raise BadBody(f"{where}.{nested} is not an object")
            _strings(event[nested], EVENT_STRINGS, f"{where}.{nested}")
            _required(event[nested], ("ts",), f"{where}.{nested}")
    files = event.get("files")
    if files is not None and not (
        isinstance(files, list) and all(isinstance(f, dict) for f in files)
    ):
        raise BadBody(f"{where}.files is not a list of objects")


def _interaction(body: dict[str, Any]) -> None:
    kind = str(body["type"])
    _strings(body, ("trigger_id", "action_ts", "callback_id"), kind)
    _url(body, kind)
    for part in ("user", "channel", "message"):
        value = body.get(part)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise BadBody(f"{kind}.{part} is not an object")
        _strings(value, ("id", "ts", "thread_ts", "text"), f"{kind}.{part}")
    actions = body.get("actions")
    if kind in WITH_ACTIONS and not (isinstance(actions, list) and actions):
        raise BadBody(f"{kind} without an action")
    if actions is not None:
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            raise BadBody(f"{kind}.actions is not a list of objects")
        for action in actions:
            _strings(action, ("action_id", "value", "action_ts"), f"{kind}.actions")
            _required(action, ("action_id",), f"{kind}.actions")


def _strings(node: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key not in node:
            continue
        if not isinstance(node[key], str):
            raise BadBody(f"{where}.{key} is not a string")
        if key in IDS and len(node[key]) > MAX_ID:
            raise BadBody(f"{where}.{key} is too long for an id")


def _required(node: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key not in node:
            raise BadBody(f"{where}.{key} is missing")


def _url(node: dict[str, Any], where: str) -> None:
    """Our listeners answer through `respond()`, which posts to response_url: Slack sends
    one with every command and message interaction, and it must be a web address."""
    url = node.get("response_url")
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        port_ok = parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:
        parts, port_ok = None, False
    if parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadBody(f"{where}.response_url is not a web address")
