"""The fake's state (users, channels, messages, files, ephemerals) and the rules
every Web API method shares: lookups, visibility, message shapes, threads."""

from __future__ import annotations

import asyncio
import copy
import mimetypes
import random
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .errors import SlackError
from .limits import RateLimiter, Stats

Json = dict[str, Any]

ID_ALPHABET = string.ascii_uppercase + string.digits
TOMBSTONE_TEXT = "This message was deleted."


class Signal:
    """Wakes every waiter when state changes; usable from synchronous code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Wait until predicate() holds; False if `within` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    user: str | None = None  # the person of a DM
    members: list[str] = field(default_factory=list)  # includes the bot when it is a member
    messages: dict[str, Json] = field(default_factory=dict)  # live messages by ts, in order
    removed: dict[str, Json] = field(default_factory=dict)  # deleted messages, for inspection
    created: int = field(default_factory=lambda: int(time.time()))
    creator: str = ""
    topic: str = ""
    purpose: str = ""

    @property
    def channel_type(self) -> str:
        """The ``channel_type`` of message events: channel, group or im."""
        if self.is_im:
            return "im"
        return "group" if self.is_private else "channel"

    def info(self, bot_user_id: str, *, num_members: bool = False) -> Json:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        info: Json = {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": None,
            "updated": self.created * 1000,
            "parent_conversation": None,
            "creator": self.creator,
            "is_ext_shared": False,
            "shared_team_ids": [],
            "pending_connected_team_ids": [],
            "is_member": bot_user_id in self.members,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            info["num_members"] = len(self.members)
        return info


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    user: str
    length: int  # as declared to files.getUploadURLExternal (or the data size)
    created: int
    data: bytes | None = None  # None until the bytes were uploaded
    alt_txt: str | None = None
    completed: bool = False
    shares: dict[str, dict[str, list[Json]]] = field(default_factory=dict)  # public/private

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    @property
    def filetype(self) -> str:
        suffix = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        return {"txt": "text", "jpeg": "jpg"}.get(suffix, suffix or "binary")

    def channels(self, public: bool) -> list[str]:
        return list(self.shares.get("public" if public else "private", {}))


class World:
    """State plus the rules the API methods share; the HTTP side lives in server.py."""

    def __init__(
        self,
        *,
        bot_token: str,
        app_token: str,
        signing_secret: str,
        team_id: str,
        team_name: str,
        team_domain: str,
        bot_user_id: str,
        bot_id: str,
        bot_name: str,
        app_id: str,
        verification_token: str,
        scopes: frozenset[str] | None,
        limits: bool,
        limiter: RateLimiter,
        seed: int,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.verification_token = verification_token
        self.scopes = scopes  # None: every scope the fake knows about
        self.limits = limits
        self.limiter = limiter
        self.base_url = ""  # set by start()
        self.stats = Stats()
        self.changed = Signal()
        self.users: dict[str, Json] = {}
        self.channels: dict[str, Channel] = {}
        self.files: dict[str, StoredFile] = {}
        self.upload_tickets: dict[str, str] = {}  # upload URL ticket → file id
        self.socket_tickets: set[str] = set()  # issued by apps.connections.open
        self.ephemeral: dict[str, list[Json]] = {}  # user id → ephemeral messages
        self.response_urls: dict[str, Json] = {}  # response_url key → its context
        self.responses: list[Json] = []  # what apps POSTed to response URLs
        self._rng = random.Random(seed)
        self._last_ts = (0, 0)
        self.users[bot_user_id] = self._bot_user()

    # ----- identifiers ----------------------------------------------------------------

    def new_id(self, prefix: str, length: int = 10) -> str:
        return prefix + "".join(self._rng.choice(ID_ALPHABET) for _ in range(length))

    def new_token(self, length: int = 32) -> str:
        return "".join(
            self._rng.choice(string.ascii_lowercase + string.digits) for _ in range(length)
        )

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next_ts(self) -> str:
        """A message timestamp like ``1700000000.000100``: wall-clock based, strictly
        increasing across the whole workspace."""
        now = time.time()
        stamp = (int(now), int((now - int(now)) * 1_000_000))
        if stamp <= self._last_ts:
            seconds, micros = self._last_ts
            stamp = (seconds + 1, 0) if micros >= 999_999 else (seconds, micros + 1)
        self._last_ts = stamp
        return f"{stamp[0]}.{stamp[1]:06d}"

    def trigger_id(self) -> str:
        return f"{int(time.time())}.{self._rng.randrange(10**12)}.{self.new_token()}"

    # ----- users ----------------------------------------------------------------------

    def _bot_user(self) -> Json:
        user = self.make_user(self.bot_user_id, self.bot_name, real_name=self.bot_name)
        user["is_bot"] = True
        user["profile"]["bot_id"] = self.bot_id
        user["profile"]["api_app_id"] = self.app_id
        user["profile"]["always_active"] = True
        return user

    def make_user(
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
        real = real_name if real_name is not None else name
        display = display_name if display_name is not None else name
        first, _, last = real.partition(" ")
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": tz_offset(tz),
            "profile": {
                "title": "",
                "phone": "",
                "skype": "",
                "real_name": real,
                "real_name_normalized": real,
                "display_name": display,
                "display_name_normalized": display,
                "fields": None,
                "status_text": "",
                "status_emoji": "",
                "status_expiration": 0,
                "avatar_hash": "g" + user_id[-11:].lower(),
                "first_name": first,
                "last_name": last,
                "team": self.team_id,
            },
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "is_email_confirmed": not is_bot,
            "who_can_share_contact_card": "EVERYONE",
            "locale": locale,
        }

    def user(self, user_id: str) -> Json:
        """A users.info ``user`` (locale included); avatars point at the fake."""
        stored = self.users.get(user_id)
        if stored is None:
            raise SlackError("user_not_found")
        user = copy.deepcopy(stored)
        for size in (24, 32, 48, 72, 192, 512):
            user["profile"][f"image_{size}"] = f"{self.base_url}/avatars/{user_id}_{size}.png"
        return user

    def ensure_user(self, user_id: str) -> Json:
        if user_id not in self.users:
            self.users[user_id] = self.make_user(user_id, f"user_{user_id.lower()}")
        return self.users[user_id]

    # ----- channels -------------------------------------------------------------------

    def visible_channel(self, channel_id: str | None) -> Channel:
        """The channel as the bot sees it: private ones it is not in don't exist."""
        channel = self.channels.get(channel_id or "")
        if channel is None or (channel.is_private and self.bot_user_id not in channel.members):
            raise SlackError("channel_not_found")
        return channel

    def resolve_channel(self, value: str | None) -> Channel:
        """chat.postMessage's ``channel``: an ID, a name (``#support``) or a user ID (a DM)."""
        if not value:
            raise SlackError("channel_not_found")
        if value in self.channels:
            return self.visible_channel(value)
        if value[0] in "UW" and value in self.users:
            return self.dm_with(value)
        name = value.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return self.visible_channel(channel.id)
        raise SlackError("channel_not_found")

    def dm_with(self, user_id: str) -> Channel:
        for channel in self.channels.values():
            if channel.is_im and channel.user == user_id:
                return channel
        channel_id = "D" + user_id[1:]
        channel = Channel(
            id=channel_id,
            name=user_id,
            is_im=True,
            user=user_id,
            members=[user_id, self.bot_user_id],
        )
        self.channels[channel_id] = channel
        return channel

    def writable_channel(self, value: str | None) -> Channel:
        channel = self.resolve_channel(value)
        if channel.is_archived:
            raise SlackError("is_archived")
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def readable_channel(self, value: str | None) -> Channel:
        channel = self.visible_channel(value)
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    # ----- messages -------------------------------------------------------------------

    def find_message(self, channel: Channel, ts: str | None) -> Json:
        message = channel.messages.get(ts or "")
        if message is None:
            raise SlackError("message_not_found")
        return message

    def bot_profile(self) -> Json:
        return {
            "id": self.bot_id,
            "deleted": False,
            "name": self.bot_name,
            "updated": int(time.time()),
            "app_id": self.app_id,
            "icons": {
                "image_36": f"{self.base_url}/avatars/{self.bot_user_id}_36.png",
                "image_48": f"{self.base_url}/avatars/{self.bot_user_id}_48.png",
                "image_72": f"{self.base_url}/avatars/{self.bot_user_id}_72.png",
            },
            "team_id": self.team_id,
        }

    def is_bots(self, message: Json) -> bool:
        return message.get("bot_id") == self.bot_id

    def store_message(self, channel: Channel, message: Json) -> Json:
        """Add a message (``ts`` set), keeping thread bookkeeping like Slack's."""
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            parent = channel.messages.get(thread_ts)
            if parent is not None:
                message["parent_user_id"] = parent.get("user", "")
                parent["thread_ts"] = thread_ts
                users = parent.setdefault("reply_users", [])
                author = message.get("user", "")
                if author and author not in users:
                    users.append(author)
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["reply_users_count"] = len(users)
                parent["latest_reply"] = message["ts"]
                parent.setdefault("is_locked", False)
                parent.setdefault("subscribed", False)
        channel.messages[message["ts"]] = message
        self.changed.fire()
        return message

    def remove_message(self, channel: Channel, ts: str) -> Json | None:
        """Delete a message. A thread parent with live replies stays as a tombstone
        (returned); otherwise None is returned."""
        message = channel.messages[ts]
        replies = self.thread_replies(channel, ts)
        if replies and message.get("thread_ts") == ts:
            tombstone: Json = {
                "type": "message",
                "subtype": "tombstone",
                "text": TOMBSTONE_TEXT,
                "user": "USLACKBOT",
                "hidden": True,
                "ts": ts,
                "thread_ts": ts,
                **{
                    key: message[key]
                    for key in ("reply_count", "reply_users", "reply_users_count", "latest_reply")
                    if key in message
                },
            }
            channel.removed[ts] = message
            channel.messages[ts] = tombstone
            self.changed.fire()
            return tombstone
        del channel.messages[ts]
        channel.removed[ts] = message
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts and thread_ts in channel.messages:
            parent = channel.messages[thread_ts]
            remaining = self.thread_replies(channel, thread_ts)
            parent["reply_count"] = len(remaining)
            users = list(dict.fromkeys(m.get("user", "") for m in remaining if m.get("user")))
            parent["reply_users"] = users
            parent["reply_users_count"] = len(users)
            if remaining:
                parent["latest_reply"] = remaining[-1]["ts"]
            else:
                for key in ("reply_count", "reply_users", "reply_users_count", "latest_reply"):
                    parent.pop(key, None)
                parent.pop("thread_ts", None)
                if parent.get("subtype") == "tombstone":
                    del channel.messages[thread_ts]
        self.changed.fire()
        return None

    def thread_replies(self, channel: Channel, thread_ts: str) -> list[Json]:
        return [
            message
            for ts, message in channel.messages.items()
            if message.get("thread_ts") == thread_ts and ts != thread_ts
        ]

    def top_level(self, channel: Channel) -> list[Json]:
        return [
            message
            for ts, message in channel.messages.items()
            if message.get("thread_ts") in (None, ts)
            or message.get("subtype") == "thread_broadcast"
        ]

    def permalink(self, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
        link = f"https://{self.team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel_id}"
        return link

    # ----- files ----------------------------------------------------------------------

    def file_urls(self, stored: StoredFile) -> Json:
        base = f"{self.base_url}/files-pri/{self.team_id}-{stored.id}"
        name = quote(stored.name)
        return {
            "url_private": f"{base}/{name}",
            "url_private_download": f"{base}/download/{name}",
            "permalink": f"https://{self.team_domain}.slack.com/files/{stored.user}/{stored.id}/{name}",
            "permalink_public": f"https://slack-files.com/{self.team_id}-{stored.id}-{self.new_token(10)}",
        }

    def file_object(self, stored: StoredFile, *, with_shares: bool = True) -> Json:
        size = len(stored.data) if stored.data is not None else stored.length
        obj: Json = {
            "id": stored.id,
            "created": stored.created,
            "timestamp": stored.created,
            "name": stored.name,
            "title": stored.title,
            "mimetype": stored.mimetype,
            "filetype": stored.filetype,
            "pretty_type": stored.filetype.upper(),
            "user": stored.user,
            "user_team": self.team_id,
            "editable": False,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(stored.shares.get("public")),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            **self.file_urls(stored),
            "comments_count": 0,
            "is_starred": False,
            "shares": copy.deepcopy(stored.shares) if with_shares else {},
            "channels": stored.channels(public=True) if with_shares else [],
            "groups": stored.channels(public=False) if with_shares else [],
            "ims": [],
            "has_more_shares": False,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if stored.alt_txt:
            obj["alt_txt"] = stored.alt_txt
        return obj

    def share_file(self, stored: StoredFile, channel: Channel, message: Json) -> None:
        kind = "private" if channel.is_private or channel.is_im else "public"
        share: Json = {
            "reply_users": [],
            "reply_users_count": 0,
            "reply_count": 0,
            "ts": message["ts"],
            "channel_name": channel.name,
            "team_id": self.team_id,
            "share_user_id": message.get("user", ""),
            "source": "UNKNOWN",
        }
        if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
            share["thread_ts"] = message["thread_ts"]
        stored.shares.setdefault(kind, {}).setdefault(channel.id, []).append(share)

    # ----- scopes ---------------------------------------------------------------------

    def check_scopes(self, needed: tuple[str, ...]) -> None:
        if not needed or self.scopes is None or self.scopes.intersection(needed):
            return
        raise SlackError(
            "missing_scope",
            extra={"needed": ",".join(needed), "provided": ",".join(sorted(self.scopes))},
        )


def tz_offset(tz: str) -> int:
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except Exception:
        return 0
    return int(offset.total_seconds()) if offset is not None else 0
