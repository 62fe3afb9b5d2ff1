"""What a command is: the context its handler is given, the reply it returns, its entry.

These refer to each other (a handler takes a context that lists the commands), so they live
in one module; the registry imports them and nothing here imports the registry back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.base.cards import Card
from bot.base.clock import Clock
from bot.base.i18n import Text
from bot.outbox.queue import Outbox
from storage.models import Conversation, Line, Operator, Thread

if TYPE_CHECKING:
    from bot.conversations.desk_actions import DeskActions


@dataclass
class Reply:
    """What the operator is told. `ok=False` means nothing changed; `quiet` success is shown
    as a reaction on the command, not a message that would eat the group's send budget.
    `card` is posted where the command was run: a choice to make with its buttons."""

    text: Text
    ok: bool = True
    quiet: bool = False
    card: Card | None = None


@dataclass
class CommandContext:
    operator: Operator
    line: Line
    thread: Thread | None
    conversation: Conversation | None
    args: str
    outbox: Outbox
    clock: Clock
    registry: Iterable[Command]  # the commands /help lists
    note_prefix: str
    actions: DeskActions
    external_id: str | None = None
    from_button: bool = False


Handler = Callable[[CommandContext], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    handler: Handler
    usage: str = ""
    needs_conversation: bool = True
    # Pressed as a button more than typed: left out of /help and the "/" menu.
    hidden: bool = False
    aliases: tuple[str, ...] = field(default_factory=tuple)
