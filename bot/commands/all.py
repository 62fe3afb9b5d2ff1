"""Every operator command, in the order /help lists them."""

from __future__ import annotations

from bot.commands import client_card as contact_commands
from bot.commands import close as closing_commands
from bot.commands import queue as queue_commands
from bot.commands import quick as quick_reply_commands
from bot.commands import stats as stats_commands
from bot.commands import thread as conversation_commands
from bot.commands import transfer_snooze as transfer_commands
from bot.commands.registry import CommandRegistry

MENU_ORDER = ["take", "close", "transfer", "snooze", "next", "queue", "status", "q", "note"]


def all_commands() -> CommandRegistry:
    registry = CommandRegistry()
    conversation_commands.register(registry)
    closing_commands.register(registry)
    queue_commands.register(registry)
    transfer_commands.register(registry)
    quick_reply_commands.register(registry)
    contact_commands.register(registry)
    stats_commands.register(registry)
    conversation_commands.register_help(registry)
    registry.arrange(MENU_ORDER)
    return registry
