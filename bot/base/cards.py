"""Platform-neutral cards with buttons; each workspace bridge renders them its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.base.bounds import row_id
from bot.base.i18n import Text
from bot.base.text_codec import payload_text, text_payload

BUTTON_PREFIX = "rd"
# Telegram's callback_data holds 64 bytes; a button's argument is an index or an id.
MAX_BUTTON_DATA = 64


@dataclass(frozen=True)
class Button:
    label: Text
    command: str
    conversation_id: int
    arg: str = ""

    @property
    def data(self) -> str:
        return encode_button(self.command, self.conversation_id, self.arg)


@dataclass(frozen=True)
class Card:
    title: Text
    fields: list[tuple[Text, str | Text]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    # Buttons per row; a long list (topics, quick replies) wraps instead of squeezing.
    row_width: int = 3
    # The workspace account (a Slack user id) that alone should see it, where the workspace
    # can show a message to one member (Slack's ephemeral messages); elsewhere all see it.
    only_for: str | None = None

    def rows(self) -> list[list[Button]]:
        width = max(1, self.row_width)
        return [self.buttons[i : i + width] for i in range(0, len(self.buttons), width)]


@dataclass(frozen=True)
class ButtonPress:
    command: str
    conversation_id: int
    arg: str = ""


def encode_button(command: str, conversation_id: int, arg: str = "") -> str:
    data = f"{BUTTON_PREFIX}:{command}:{conversation_id}" + (f":{arg}" if arg else "")
    if len(data.encode()) > MAX_BUTTON_DATA:
        raise ValueError(f"button data too long: {data!r}")
    return data


def decode_button(data: str) -> ButtonPress | None:
    """`rd:close:12` -> close on #12; `rd:topic:12:3` -> topic 3 on #12; anything else
    (forged, stale format) -> None."""
    parts = data.split(":", 3)
    conversation_id = row_id(parts[2]) if len(parts) >= 3 else None
    if conversation_id is None or parts[0] != BUTTON_PREFIX or not parts[1]:
        return None
    return ButtonPress(parts[1], conversation_id, parts[3] if len(parts) == 4 else "")


# -- cards as JSON, for deliveries that carry one -----------------------------------------


def card_payload(card: Card) -> dict[str, Any]:
    return {
        "title": text_payload(card.title),
        "fields": [
            [text_payload(label), text_payload(value) if isinstance(value, Text) else value]
            for label, value in card.fields
        ],
        "buttons": [
            [text_payload(b.label), b.command, b.conversation_id, b.arg] for b in card.buttons
        ],
        "row_width": card.row_width,
        **({"only_for": card.only_for} if card.only_for else {}),
    }


def payload_card(payload: dict[str, Any]) -> Card:
    return Card(
        title=payload_text(payload["title"]),
        fields=[
            (payload_text(label), payload_text(value) if isinstance(value, dict) else value)
            for label, value in payload["fields"]
        ],
        buttons=[
            Button(payload_text(label), command, conversation_id, arg)
            for label, command, conversation_id, arg in payload["buttons"]
        ],
        row_width=payload.get("row_width", 3),
        only_for=payload.get("only_for"),
    )
