"""The fake's workspace state: the data shapes (channels, stored files, the change
signal), identifiers, users, channels with their visibility rules, and scopes.
Messages, threads and files live on top of it in world.py."""

from __future__ import annotations

import copy
import mimetypes
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..common import Signal
from .errors import SlackError
from .limits import RateLimiter, Stats

Json = dict[str, Any]

ID_ALPHABET = string.ascii_uppercase + string.digits


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


class WorldState:
    """Workspace state plus the identifier, user, channel and scope rules; messages and
    files are in World (world.py), the HTTP side lives in server.py."""

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
