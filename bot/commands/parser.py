"""Reading a command out of a message: `/close`, `/close@relaydesk_bot`, `!close`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"^[/!]([A-Za-z][A-Za-z0-9_]{0,31})(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.S)


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: str


def parse_command(text: str | None, bot_username: str | None = None) -> ParsedCommand | None:
    """None when `text` is not a command, or is a command addressed to another bot."""
    if not text:
        return None
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    name, addressee, args = match.groups()
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    return ParsedCommand(name=name.lower(), args=(args or "").strip())
