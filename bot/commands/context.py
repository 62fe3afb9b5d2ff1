"""What a command handler is given: who runs it, on which conversation, with which services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.base.clock import Clock
from bot.outbox.queue import Outbox
from storage.models import Conversation, Line, Operator, Thread

if TYPE_CHECKING:
    from bot.commands.registry import CommandRegistry
    from bot.conversations.desk_actions import DeskActions


@dataclass
class CommandContext:
    operator: Operator
    line: Line
    thread: Thread | None
    conversation: Conversation | None
    args: str
    outbox: Outbox
    clock: Clock
    registry: CommandRegistry
    note_prefix: str
    actions: DeskActions
    external_id: str | None = None
    from_button: bool = False
