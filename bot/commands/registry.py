"""The command table: name, who may run it, what it does, its help line."""

from __future__ import annotations

from collections.abc import Iterator

from bot.commands.context import Command


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

    def __iter__(self) -> Iterator[Command]:
        """The commands /help and the "/" menu list."""
        return iter([c for c in self._order if not c.hidden])
