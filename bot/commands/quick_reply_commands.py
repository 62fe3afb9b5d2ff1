"""(being written)"""

from __future__ import annotations

from bot.commands.registry import CommandRegistry


def register(registry: CommandRegistry) -> None:
    return None
