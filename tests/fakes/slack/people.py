"""Test-side helpers: arrange the workspace, act as people, inspect what channels show.

Acting is split in two: builders that change the world and return what Slack
would send (event envelopes, interaction payloads, slash command forms), and
signing helpers that turn those into ``(body_bytes, headers)`` for an HTTP
delivery. The same dicts go into Socket Mode envelopes (``FakeSlack.socket_send``).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from .signing import signed_headers
from .world import Channel, Json, StoredFile, World

MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<(https?://[^>|]+)(?:\|([^>]*))?>")

FileSpec = tuple[str, bytes] | Json  # (name, data), or a file object from add_file()


def rich_text(text: str, block_id: str) -> list[Json]:
    """The ``rich_text`` block Slack's clients attach to what people type."""
    elements: list[Json] = []
    position = 0
    for match in MENTION.finditer(text):
        if match.start() > position:
            elements.append({"type": "text", "text": text[position : match.start()]})
        sigil, target, label, url, url_label = match.groups()
        if url:
            link: Json = {"type": "link", "url": url}
            if url_label:
                link["text"] = url_label
            elements.append(link)
        elif sigil == "@":
            elements.append({"type": "user", "user_id": target})
        elif sigil == "#":
            elements.append({"type": "channel", "channel_id": target})
        else:
            elements.append({"type": "broadcast", "range": target.removeprefix("subteam^")})
        position = match.end()
    if position < len(text):
        elements.append({"type": "text", "text": text[position:]})
    section = {"type": "rich_text_section", "elements": elements}
    return [{"type": "rich_text", "block_id": block_id, "elements": [section]}]


class People(World):
    """Synchronous helpers tests call to arrange state, build deliveries and inspect."""

    # ----- setup ----------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        locale: str = "en-US",
        tz: str = "UTC",
        is_bot: bool = False,
    ) -> Json:
        """A workspace member. ``display_name`` defaults to ``name``; pass "" for the
        common real-world case of a person who never set one."""
        user = self.make_user(
            user_id,
            name,
            real_name=real_name,
            display_name=display_name,
            locale=locale,
            tz=tz,
            is_bot=is_bot,
        )
        self.users[user_id] = user
        return copy.deepcopy(user)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> Json:
        """A channel; unknown member ids become users. Returns conversations.info's channel."""
        member_list = list(dict.fromkeys(members))
        for user_id in member_list:
            self.ensure_user(user_id)
        if bot_is_member and self.bot_user_id not in member_list:
            member_list.append(self.bot_user_id)
        channel = Channel(
            id=channel_id,
            name=name,
            is_private=is_private,
            is_archived=is_archived,
            members=member_list,
            creator=member_list[0] if member_list else "",
        )
        self.channels[channel_id] = channel
        return channel.info(self.bot_user_id)

    def add_dm(self, user_id: str) -> Json:
        """The direct-message conversation between a person and the bot."""
        self.ensure_user(user_id)
        return self.dm_with(user_id).info(self.bot_user_id)

    def add_file(self, name: str, data: bytes, *, user: str, title: str | None = None) -> Json:
        """A file a person uploaded (not shared yet); returns its file object."""
        stored = StoredFile(
            id=self.new_id("F"),
            name=name,
            title=title or name,
            user=user,
            length=len(data),
            created=int(time.time()),
            data=data,
            completed=True,
        )
        self.files[stored.id] = stored
        return self.file_object(stored)

    def set_member(self, channel: str, user_id: str, member: bool = True) -> None:
        """Add or remove a channel member (the bot too: ``fake.bot_user_id``)."""
        members = self.channels[channel].members
        if member and user_id not in members:
            members.append(user_id)
        elif not member and user_id in members:
            members.remove(user_id)

    # ----- inspection -----------------------------------------------------------------

    def messages(self, channel: str, thread_ts: str | None = None) -> list[Json]:
        """A thread's replies (not its parent) when ``thread_ts`` is given, otherwise the
        channel's top-level messages (thread broadcasts included), oldest first."""
        found = self.channels[channel]
        if thread_ts is None:
            return copy.deepcopy(self.top_level(found))
        return copy.deepcopy(self.thread_replies(found, thread_ts))

    def message(self, channel: str, ts: str) -> Json | None:
        stored = self.channels[channel].messages.get(ts)
        return copy.deepcopy(stored) if stored is not None else None

    def deleted_message(self, channel: str, ts: str) -> Json | None:
        stored = self.channels[channel].removed.get(ts)
        return copy.deepcopy(stored) if stored is not None else None

    def reactions(self, channel: str, ts: str) -> list[Json]:
        """``[{"name", "users", "count"}]`` of a message (empty when it has none)."""
        stored = self.channels[channel].messages.get(ts) or {}
        return copy.deepcopy(stored.get("reactions", []))

    def ephemerals(self, user_id: str) -> list[Json]:
        """Ephemeral messages shown to a person (chat.postEphemeral, response URLs)."""
        return copy.deepcopy(self.ephemeral.get(user_id, []))

    def file_data(self, file_id: str) -> bytes | None:
        stored = self.files.get(file_id)
        return stored.data if stored is not None else None

    # ----- Events API envelopes -------------------------------------------------------

    def envelope(self, event: Json) -> Json:
        """The ``event_callback`` body Slack wraps around an event."""
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self.new_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + self.new_token(40),
        }

    def _person_channel(self, channel_id: str, user: str) -> Channel:
        channel = self.channels[channel_id]
        self.ensure_user(user)
        if user not in channel.members:
            channel.members.append(user)  # people join a channel by posting in it
        return channel

    def _shared_files(self, files: Iterable[FileSpec], user: str) -> list[StoredFile]:
        stored_files = []
        for spec in files:
            if isinstance(spec, tuple):
                file_id = self.add_file(spec[0], spec[1], user=user)["id"]
            else:
                file_id = spec["id"]
            stored_files.append(self.files[file_id])
        return stored_files

    def post_envelopes(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        files: Iterable[FileSpec] | None = None,
    ) -> list[Json]:
        """A person posts: the message is stored and the envelopes Slack would send
        come back: a ``message`` event, plus an ``app_mention`` when the text mentions
        the bot outside a DM. Empty when the bot is not in the channel (Slack sends
        nothing then)."""
        where = self._person_channel(channel, user)
        ts = self.next_ts()
        message: Json = {
            "user": user,
            "type": "message",
            "ts": ts,
            "client_msg_id": self.new_uuid(),
            "text": text,
            "team": self.team_id,
            "blocks": rich_text(text, self.new_token(5)),
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        stored_files = self._shared_files(files or (), user)
        if stored_files:
            message["subtype"] = "file_share"
            message["files"] = [self.file_object(s, with_shares=False) for s in stored_files]
            message["upload"] = False
            message["display_as_bot"] = False
        self.store_message(where, message)
        for stored in stored_files:
            self.share_file(stored, where, message)
        if self.bot_user_id not in where.members:
            return []
        event = {
            **copy.deepcopy(message),
            "channel": where.id,
            "event_ts": ts,
            "channel_type": where.channel_type,
        }
        envelopes = [self.envelope(event)]
        if f"<@{self.bot_user_id}>" in text and not where.is_im:
            mention = {
                key: value
                for key, value in copy.deepcopy(message).items()
                if key not in {"subtype", "upload", "display_as_bot"}
            }
            mention = {"type": "app_mention", **{k: v for k, v in mention.items() if k != "type"}}
            mention["channel"] = where.id
            mention["event_ts"] = ts
            envelopes.append(self.envelope(mention))
        return envelopes

    def edit_envelope(self, channel: str, user: str, ts: str, text: str) -> Json | None:
        """A person edits their message: stored, and the ``message_changed`` envelope
        returned (None when the bot is not in the channel)."""
        where = self.channels[channel]
        stored = where.messages[ts]
        if stored.get("user") != user:
            raise ValueError(f"{user} cannot edit {stored.get('user')}'s message {ts}")
        previous = copy.deepcopy(stored)
        event_ts = self.next_ts()
        stored["text"] = text
        stored["blocks"] = rich_text(text, self.new_token(5))
        stored["edited"] = {"user": user, "ts": event_ts}
        self.changed.fire()
        if self.bot_user_id not in where.members:
            return None
        return self.envelope(
            {
                "type": "message",
                "subtype": "message_changed",
                "message": copy.deepcopy(stored),
                "previous_message": previous,
                "channel": where.id,
                "hidden": True,
                "ts": event_ts,
                "event_ts": event_ts,
                "channel_type": where.channel_type,
            }
        )

    def delete_envelope(self, channel: str, ts: str) -> Json | None:
        """A message is deleted (by its author or an admin): ``message_deleted``, or,
        for a thread parent with replies, ``message_changed`` to a tombstone, as Slack
        does. None when the bot is not in the channel."""
        where = self.channels[channel]
        previous = copy.deepcopy(where.messages[ts])
        tombstone = self.remove_message(where, ts)
        event_ts = self.next_ts()
        if self.bot_user_id not in where.members:
            return None
        event: Json = {
            "type": "message",
            "hidden": True,
            "channel": where.id,
            "previous_message": previous,
            "ts": event_ts,
            "event_ts": event_ts,
            "channel_type": where.channel_type,
        }
        if tombstone is not None:
            event |= {"subtype": "message_changed", "message": copy.deepcopy(tombstone)}
        else:
            event |= {"subtype": "message_deleted", "deleted_ts": ts}
        return self.envelope(event)

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
