"""Test-side helpers: arrange the workspace, act as people, inspect what channels show.

Acting is split in two: builders that change the world and return what Slack
would send (event envelopes here; interaction payloads and slash command forms in
payloads.py), and signing helpers (payloads.py) that turn those into
``(body_bytes, headers)`` for an HTTP delivery. The same dicts go into Socket Mode
envelopes (``FakeSlack.socket_send``).
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterable

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
