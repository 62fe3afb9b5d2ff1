"""What people's interactions look like on the wire: interaction payloads (button
presses, message shortcuts), slash command forms, and the signing helpers that turn
any of them (and event envelopes) into ``(body_bytes, headers)`` for an HTTP delivery."""

from __future__ import annotations

import copy
import json
import time
from typing import Any
from urllib.parse import urlencode

from .people import People
from .signing import signed_headers
from .world import Json


class Payloads(People):
    """Builders of interactivity payloads and command forms, and signed HTTP bodies."""

    # ----- interactivity and commands -------------------------------------------------

    def _response_url(self, kind: str, context: Json) -> str:
        key = f"{kind}/{self.team_id}/{self._rng.randrange(10**12)}/{self.new_token(24)}"
        self.response_urls[key] = {**context, "uses": 0}
        return f"{self.base_url}/{key}"

    def _user_ref(self, user_id: str) -> Json:
        user = self.ensure_user(user_id)
        return {
            "id": user_id,
            "username": user["name"],
            "name": user["name"],
            "team_id": self.team_id,
        }

    def block_actions(
        self,
        channel: str,
        message_ts: str,
        user: str,
        action_id: str,
        value: str,
        *,
        block_id: str = "b",
    ) -> Json:
        """The ``block_actions`` payload of a button press on a stored message."""
        where = self.channels[channel]
        message = copy.deepcopy(where.messages[message_ts])
        action_ts = f"{time.time():.6f}"
        action: Json = {
            "action_id": action_id,
            "block_id": block_id,
            "text": find_button_text(message, action_id),
            "value": value,
            "type": "button",
            "action_ts": action_ts,
        }
        context = {"channel": where.id, "message_ts": message_ts, "user": user}
        context["thread_ts"] = message.get("thread_ts")
        return {
            "type": "block_actions",
            "user": self._user_ref(user),
            "api_app_id": self.app_id,
            "token": self.verification_token,
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": where.id,
                "is_ephemeral": False,
                **({"thread_ts": message["thread_ts"]} if message.get("thread_ts") else {}),
            },
            "trigger_id": self.trigger_id(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": where.id, "name": where.name},
            "message": message,
            "state": {"values": {}},
            "response_url": self._response_url("actions", context),
            "actions": [action],
        }

    def message_action(self, channel: str, message_ts: str, user: str, callback_id: str) -> Json:
        """The ``message_action`` payload of a message shortcut."""
        where = self.channels[channel]
        message = copy.deepcopy(where.messages[message_ts])
        context = {"channel": where.id, "message_ts": message_ts, "user": user}
        context["thread_ts"] = message.get("thread_ts")
        return {
            "type": "message_action",
            "token": self.verification_token,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user_ref(user),
            "channel": {"id": where.id, "name": where.name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "response_url": self._response_url("actions", context),
            "message_ts": message_ts,
            "message": message,
        }

    def slash_command_form(
        self, command: str, text: str, user: str, channel: str
    ) -> dict[str, str]:
        """The form fields of a slash command typed in a channel."""
        where = self.channels.get(channel)
        context = {"channel": channel, "message_ts": None, "user": user, "thread_ts": None}
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": where.name if where and not where.is_im else "directmessage",
            "user_id": user,
            "user_name": self.ensure_user(user)["name"],
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url("commands", context),
            "trigger_id": self.trigger_id(),
        }

    # ----- signed HTTP bodies ---------------------------------------------------------

    def sign(
        self, body: bytes, content_type: str, *, timestamp: int | None = None
    ) -> dict[str, str]:
        """Slack's delivery headers for ``body`` (``timestamp`` overrides "now")."""
        return signed_headers(self.signing_secret, body, content_type, timestamp=timestamp)

    def signed_event(
        self, envelope: Json, *, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """An Events API delivery: the JSON envelope, signed."""
        body = json.dumps(envelope, separators=(",", ":")).encode()
        return body, self.sign(body, "application/json", timestamp=timestamp)

    def signed_payload(
        self, payload: Json, *, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """An interactivity delivery: form-encoded ``payload=<json>``, signed."""
        return self.signed_form(
            {"payload": json.dumps(payload, separators=(",", ":"))}, timestamp=timestamp
        )

    def signed_form(
        self, fields: dict[str, str], *, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """A form-encoded delivery (slash commands), signed."""
        body = urlencode(fields).encode()
        return body, self.sign(body, "application/x-www-form-urlencoded", timestamp=timestamp)


def find_button_text(message: Json, action_id: str) -> Json:
    """The ``text`` of the button with ``action_id`` in a message's blocks."""

    def walk(node: Any) -> Json | None:
        if isinstance(node, dict):
            if node.get("type") == "button" and node.get("action_id") == action_id:
                text = node.get("text")
                return copy.deepcopy(text) if isinstance(text, dict) else None
            for value in node.values():
                found = walk(value)
                if found is not None:
                    return found
        elif isinstance(node, list):
            for item in node:
                found = walk(item)
                if found is not None:
                    return found
        return None

    return walk(message.get("blocks", [])) or {
        "type": "plain_text",
        "text": action_id,
        "emoji": True,
    }
