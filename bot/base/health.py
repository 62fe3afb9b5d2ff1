"""What each bridge says about its connection: `/healthz`, the outbox and the log read it.

A workspace or customer channel that cannot be reached must not take the others down, so a
bridge never fails the start: it reports `down` here with the reason and keeps trying. The
core learns of outages only through this registry and never imports a bridge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.base.i18n import Text, Translator, _
from bot.base.redact import Redactor

log = logging.getLogger(__name__)

Kind = Literal["network", "server", "refused", "bad_answer", "unexpected"]
UNEXPECTED = _("Starting it failed unexpectedly ({error}); the log has the details.")


@dataclass(frozen=True)
class Outage:
    """Why a component is down, in words a person can act on: `kind` tells a network error
    from a refused token from an answer that was not the service's at all."""

    kind: Kind
    text: Text

    @classmethod
    def unexpected(cls, error: BaseException, redactor: Redactor) -> Outage:
        """Not about the messenger at all (the database, a bug): said as such, not blamed
        on the network or a token."""
        return cls("unexpected", Text(UNEXPECTED, error=redactor.describe(error)[:200]))

    @property
    def retry_slowly(self) -> bool:
        """A refused token is fixed by a person, not by hammering the API."""
        return self.kind == "refused"


@dataclass(frozen=True)
class State:
    status: Literal["starting", "up", "down", "off"]
    reason: Text | None = None


class Health:
    """Component name (`telegram`, `slack`) -> its state. The names are the workspace kinds
    and customer channels the component serves, so the outbox can ask about a target."""

    def __init__(self, translator: Translator | None = None) -> None:
        self._states: dict[str, State] = {}
        self._translator = translator or Translator()
        self._on_up: list[Callable[[str], None]] = []
        self._changed = asyncio.Event()

    def on_up(self, callback: Callable[[str], None]) -> None:
        """`callback(name)` runs whenever a component comes up (the outbox resumes)."""
        self._on_up.append(callback)

    def starting(self, name: str) -> None:
        self._set(name, State("starting"))

    def off(self, name: str, reason: Text) -> None:
        """Not configured: nothing to wait for, nothing is wrong with the desk."""
        self._set(name, State("off", reason))

    def up(self, name: str) -> None:
        was = self._states.get(name)
        self._set(name, State("up"))
        if was is None or was.status != "up":
            for callback in self._on_up:
                callback(name)

    def down(self, name: str, outage: Outage) -> None:
        self._set(name, State("down", outage.text))

    def _set(self, name: str, state: State) -> None:
        self._states[name] = state
        self._changed.set()
        self._changed = asyncio.Event()

    async def first_answers(self, within: float) -> None:
        """Wait until no component is still on its first try, at most `within` seconds. The
        desk serves without waiting (its messengers connect in the background); a caller
        that needs them connected, such as a test's desk, waits here."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while any(state.status == "starting" for state in self._states.values()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def state(self, name: str) -> State | None:
        return self._states.get(name)

    def waiting_for(self, name: str) -> bool:
        """Configured but not up yet (or any more): its deliveries wait, they do not fail."""
        state = self._states.get(name)
        return state is not None and state.status in ("starting", "down")

    @property
    def ok(self) -> bool:
        return all(state.status in ("up", "off") for state in self._states.values())

    def unready(self, language: str = "en") -> dict[str, str]:
        """The configured components not up (starting or down), said as `describe` says
        them: what `/readyz` names."""
        described = self.describe(language)
        return {name: described[name] for name in described if self.waiting_for(name)}

    def describe(self, language: str = "en") -> dict[str, str]:
        """`{"telegram": "up", "slack": "down: Could not reach …"}`, for `/healthz`."""
        described = {}
        for name, state in sorted(self._states.items()):
            if state.reason is None:
                described[name] = state.status
            else:
                reason = self._translator.render(language, state.reason)
                described[name] = f"{state.status}: {reason}"
        return described
