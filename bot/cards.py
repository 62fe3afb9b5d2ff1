"""Platform-neutral cards with buttons; each workspace bridge renders them its own way."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import Text


@dataclass(frozen=True)
class Button:
    label: Text
    command: str
    conversation_id: int

    @property
    def data(self) -> str:
        return encode_button(self.command, self.conversation_id)


@dataclass(frozen=True)
class Card:
    title: Text
    fields: list[tuple[Text, str | Text]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)


BUTTON_PREFIX = "rd"


def encode_button(command: str, conversation_id: int) -> str:
    return f"{BUTTON_PREFIX}:{command}:{conversation_id}"


def decode_button(data: str) -> tuple[str, int] | None:
    """`rd:close:12` -> ("close", 12); anything else (forged, stale format) -> None."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != BUTTON_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])
