"""A name → handler table for Web API methods, with the OAuth scopes each needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..params import Params
    from ..world import World

Handler = Callable[["World", "Params"], Any]  # returns the answer's fields (or an awaitable)


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    scopes: tuple[str, ...]  # any one of them is enough; () = none needed
    app_token: bool  # called with the app-level (xapp-) token instead of the bot token


class MethodTable:
    def __init__(self) -> None:
        self._methods: dict[str, Method] = {}

    def __call__(
        self, name: str, *, scopes: tuple[str, ...] = (), app_token: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._methods[name] = Method(name, handler, scopes, app_token)
            return handler

        return register

    def get(self, name: str) -> Method | None:
        return self._methods.get(name)  # Slack method names are case-sensitive

    def merge(self, *tables: MethodTable) -> MethodTable:
        for table in tables:
            self._methods.update(table._methods)
        return self

    def __iter__(self) -> Iterator[str]:
        return iter(self._methods)
