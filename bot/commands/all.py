"""Every operator command, in the order /help lists them."""

from __future__ import annotations

from bot.commands import (
    contact_commands,
    conversation_commands,
    queue_commands,
    quick_reply_commands,
    transfer_commands,
)
from bot.commands.registry import CommandRegistry


def all_commands() -> CommandRegistry:
    registry = CommandRegistry()
    conversation_commands.register(registry)
    queue_commands.register(registry)
    transfer_commands.register(registry)
    quick_reply_commands.register(registry)
    contact_commands.register(registry)
    conversation_commands.register_help(registry)
    return registry
