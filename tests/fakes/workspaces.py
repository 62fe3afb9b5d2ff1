"""One vocabulary for "what operators see and do" in a Telegram forum and in a Slack channel,
so that the same conversation story runs against both workspaces."""

from __future__ import annotations

import json
from typing import Any, Protocol

from tests.fakes.desk import OPERATOR_CHAT, Desk, shown_texts


class Workspace(Protocol):
    desk: Desk

    def thread(self) -> str: ...

    def card(self, thread: str) -> tuple[str, list[str]]:
        """The header card's text and its buttons' labels."""
        ...

    def card_fields(self, thread: str) -> dict[str, str]:
        """The header card's fields as shown: label -> value."""
        ...

    def texts(self, thread: str) -> list[str]: ...

    async def say(self, thread: str, text: str) -> str: ...

    async def press(self, thread: str, command: str, conversation: int) -> None: ...

    def delivered(self, message: str) -> bool: ...


class ForumWorkspace:
    """Operators in a Telegram forum supergroup; the operator is Olga (1001)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.fake = desk.fake

    def thread(self) -> str:
        live = [t for t in self.fake.topics(OPERATOR_CHAT) if not t["is_deleted"]]
        assert len(live) == 1, live
        return str(live[0]["message_thread_id"])

    def _messages(self, thread: str) -> list[dict[str, Any]]:
        return self.fake.chat_messages(OPERATOR_CHAT, int(thread))

    def card(self, thread: str) -> tuple[str, list[str]]:
        cards = [m for m in self._messages(thread) if "reply_markup" in m]
        card = cards[-1]
        buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
        return card["text"], buttons

    def card_fields(self, thread: str) -> dict[str, str]:
        text, _ = self.card(thread)
        fields = (line.partition(": ") for line in text.split("\n")[1:])
        return {label: value for label, colon, value in fields if colon}

    def texts(self, thread: str) -> list[str]:
        """Each message's text, and after a merged one (a card with the customer's first
        texts, or several texts) each text it shows."""
        texts = []
        for message in self._messages(thread):
            whole = message.get("text") or message.get("caption") or ""
            texts.append(whole)
            texts += [t for t in shown_texts(message) if t != whole]
        return texts

    async def say(self, thread: str, text: str) -> str:
        sent = self.fake.member_sends(OPERATOR_CHAT, 1001, text, thread_id=int(thread))
        return str(sent["message_id"])

    async def press(self, thread: str, command: str, conversation: int) -> None:
        cards = [m for m in self._messages(thread) if "reply_markup" in m]
        self.fake.press_button(
            OPERATOR_CHAT, cards[-1]["message_id"], 1001, f"rd:{command}:{conversation}"
        )

    def delivered(self, message: str) -> bool:
        return [r["emoji"] for r in self.fake.reactions(OPERATOR_CHAT, int(message))] == ["👍"]


class SlackWorkspace:
    """Operators in a Slack channel; the operator is Olga (U0OLGA)."""

    def __init__(self, desk: Desk, slack: Any, channel: str) -> None:
        self.desk = desk
        self.slack = slack
        self.channel = channel
        self.url = f"{desk.url}/slack/events"

    def thread(self) -> str:
        parents = self.slack.messages(self.channel)
        assert len(parents) == 1, parents
        return parents[0]["ts"]

    def card(self, thread: str) -> tuple[str, list[str]]:
        card = self.slack.message(self.channel, thread)
        buttons = [
            e["text"]["text"]
            for block in card.get("blocks", [])
            if block["type"] == "actions"
            for e in block["elements"]
        ]
        return json.dumps(card.get("blocks", []), ensure_ascii=False), buttons

    def card_fields(self, thread: str) -> dict[str, str]:
        card = self.slack.message(self.channel, thread)
        shown = [
            field["text"].partition("\n")
            for block in card.get("blocks", [])
            for field in block.get("fields", [])
        ]
        return {label.strip("*"): value for label, _, value in shown}

    def texts(self, thread: str) -> list[str]:
        return [m.get("text", "") for m in self.slack.messages(self.channel, thread)]

    async def say(self, thread: str, text: str) -> str:
        _, _, event = await self.slack.user_posts(
            self.url, self.channel, "U0OLGA", text, thread_ts=thread
        )
        return event["ts"]

    async def press(self, thread: str, command: str, conversation: int) -> None:
        await self.slack.press_button(
            self.url,
            self.channel,
            thread,
            "U0OLGA",
            f"rd_{command}",
            f"rd:{command}:{conversation}",
        )

    def delivered(self, message: str) -> bool:
        names = [r["name"] for r in self.slack.reactions(self.channel, message)]
        return names == ["white_check_mark"]
