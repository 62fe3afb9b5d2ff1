"""The fake's messages, threads and files on top of the workspace state (state.py), and
the rules every Web API method shares for them: lookups, message shapes, threads,
permalinks, file objects and shares."""

from __future__ import annotations

import copy
import time
from urllib.parse import quote

from .errors import SlackError
from .state import ID_ALPHABET, Channel, Json, Signal, StoredFile, WorldState, tz_offset

TOMBSTONE_TEXT = "This message was deleted."


class World(WorldState):
    """State plus the rules the API methods share: messages, threads and files on top
    of the workspace state (state.py); the HTTP side lives in server.py."""

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


__all__ = [
    "ID_ALPHABET",
    "TOMBSTONE_TEXT",
    "Channel",
    "Json",
    "Signal",
    "StoredFile",
    "World",
    "WorldState",
    "tz_offset",
]
