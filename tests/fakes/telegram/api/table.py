"""A name → handler table for Bot API methods (names match case-insensitively)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..params import Params
    from ..world import World

Handler = Callable[["World", "Params"], Any]  # may return an awaitable


class MethodTable:
    def __init__(self) -> None:
        self._handlers: dict[str, tuple[str, Handler]] = {}

    def __call__(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self._handlers[name.lower()] = (name, handler)
            return handler

        return register

    def get(self, name: str) -> tuple[str, Handler] | None:
        return self._handlers.get(name.lower())

    def merge(self, *tables: MethodTable) -> MethodTable:
        for table in tables:
            self._handlers.update(table._handlers)
        return self

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._handlers.values())
