"""The command table: name, who may run it, what it does, its help line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.base.cards import Card
from bot.base.i18n import Text

if TYPE_CHECKING:
    from bot.commands.context import CommandContext


@dataclass
class Reply:
    """What the operator is told. `ok=False` means nothing changed; `quiet` success is shown
    as a reaction on the command, not a message that would eat the group's send budget.
    `card` is posted where the command was run: a choice to make with its buttons."""

    text: Text
    ok: bool = True
    quiet: bool = False
    card: Card | None = None


Handler = Callable[["CommandContext"], Awaitable[Reply]]


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


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._order: list[Command] = []

    def add(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            self._commands[name] = command
        self._order.append(command)

    def arrange(self, first: list[str]) -> None:
        """List these commands first, in this order (the "/" menu shows the top ones)."""
        rank = {name: index for index, name in enumerate(first)}
        self._order.sort(key=lambda c: rank.get(c.name, len(rank)))

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def __iter__(self):
        """The commands /help and the "/" menu list."""
        return iter([c for c in self._order if not c.hidden])
