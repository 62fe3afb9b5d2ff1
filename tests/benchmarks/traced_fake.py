"""The fake Telegram, noting when a person's message was posted and when the desk's copy of it
(copyMessage(s), forwardMessage(s), or a sendMessage with the same text, or with it as a part
of a merged message: "<i>HH:MM</i>  text" blocks) was made."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram.params import Params

Key = tuple[int, int]  # (chat id, message id) of the person's message
COPIES = {"copymessage", "forwardmessage"}
BATCH_COPIES = {"copymessages", "forwardmessages"}
MERGED_PART = re.compile(r"^<i>\d\d:\d\d</i>  (.*)$", re.S)


class TracedFake(FakeTelegram):
    def __init__(self, group: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group = group
        self.posted_at: dict[Key, float] = {}
        self.copied_at: dict[Key, float] = {}
        self.copied_into: dict[Key, int] = {}  # the chat the copy went to
        self._by_text: dict[str, Key] = {}
        self.group_calls = 0  # calls into the forum group (chat_id = the group)
        self.last_call_at = 0.0

    def user_sends(self, user_id: int, text: str | None = None, **kwargs: Any) -> dict:
        message = super().user_sends(user_id, text, **kwargs)
        self._posted(user_id, message)
        return message

    def member_sends(self, chat_id: int, user_id: int, text: str | None = None, **kwargs: Any):
        message = super().member_sends(chat_id, user_id, text, **kwargs)
        self._posted(chat_id, message)
        return message

    def _posted(self, chat: int, message: dict) -> None:
        key = (chat, message["message_id"])
        self.posted_at[key] = time.monotonic()
        if message.get("text"):
            self._by_text[message["text"]] = key

    async def call(self, method: str, params: Params) -> Any:
        name = method.lower()
        if name != "getupdates":
            self.last_call_at = time.monotonic()
            if str(params.values.get("chat_id", "")) == str(self.group):
                self.group_calls += 1
        result = await super().call(method, params)  # an error answer raises: no copy made
        now = time.monotonic()
        for key in self._copied(name, params):
            if key in self.posted_at and key not in self.copied_at:
                self.copied_at[key] = now
                self.copied_into[key] = int(params.values["chat_id"])
        return result

    def _copied(self, name: str, params: Params) -> list[Key]:
        values = params.values
        if name in COPIES:
            return [(int(values["from_chat_id"]), int(values["message_id"]))]
        if name in BATCH_COPIES:
            source = int(values["from_chat_id"])
            return [(source, int(i)) for i in params.json("message_ids")]
        if name == "sendmessage" and values.get("text") in self._by_text:
            return [self._by_text[values["text"]]]
        if name == "sendmessage":
            return merged_parts(values.get("text") or "", self._by_text)
        return []


def merged_parts(text: str, by_text: dict[str, Key]) -> list[Key]:
    """The messages a merged message (a card and texts, or texts) shows, by their texts."""
    parts = [MERGED_PART.match(block) for block in text.split("\n\n")]
    return [by_text[p.group(1)] for p in parts if p and p.group(1) in by_text]
