"""The settings an admin may change while the desk runs, as every instance reads them.

The environment gives the first values; a value saved from the panel (a `Setting` row)
wins over it. Every instance keeps them fresh as `bot/base/shared_copy` says.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.clock import Clock
from bot.base.settings import Settings
from bot.base.shared_copy import SharedCopy
from bot.directory.global_settings import EDITABLE, SettingRefusal, check, stored
from storage.models import Operator, Setting

log = logging.getLogger(__name__)

VERSION_KEY = "rd:settings:version"


class LiveSettings(SharedCopy):
    """`note_prefix`, `default_language` and `assign_on_reply` as saved anywhere; `run()`
    keeps them fresh, `change()` saves one for every instance."""

    def __init__(
        self, defaults: Settings, *, clock: Clock, redis: Any = None, refresh_seconds: float
    ) -> None:
        super().__init__(
            version_key=VERSION_KEY,
            what="the settings",
            redis=redis,
            refresh_seconds=refresh_seconds,
        )
        self._defaults = {key: getattr(defaults, key) for key in EDITABLE}
        self._values = dict(self._defaults)
        self._clock = clock
        self._ignored: set[tuple[str, str]] = set()

    @property
    def note_prefix(self) -> str:
        return self._values["note_prefix"]

    @property
    def default_language(self) -> str:
        return self._values["default_language"]

    @property
    def assign_on_reply(self) -> bool:
        return self._values["assign_on_reply"]

    def current(self) -> dict[str, Any]:
        """Every editable setting and its value here, now."""
        return dict(self._values)

    async def _read(self) -> None:
        """The saved rows over the environment's values: at start and after a change."""
        values = dict(self._defaults)
        for row in await Setting.filter(key__in=EDITABLE):
            try:
                values[row.key] = check(row.key, stored(row))
            except SettingRefusal:
                self._warn_once(row)
        self._values = values

    async def change(
        self, key: str, value: Any, *, actor_name: str, actor: Operator | None = None
    ) -> bool:
        """Check, save with its audit entry, apply here at once and tell the other instances.
        False when nothing changed."""
        cleaned = check(key, value)
        await self.load()  # another instance may have changed it since: audit the real old
        old = self._values[key]
        if old == cleaned:
            return False
        async with in_transaction():
            await Setting.update_or_create(key=key, defaults={"value": {"value": cleaned}})
            await audit.record(
                "setting.changed",
                at=self._clock.now(),
                actor=actor,
                actor_name=actor_name,
                old=old,
                new=cleaned,
                setting=key,
            )
        self._values = self._values | {key: cleaned}
        await self.bump()
        log.info("Setting %s changed by %s", key, actor.name if actor else actor_name)
        return True

    def _warn_once(self, row: Setting) -> None:
        seen = (row.key, repr(row.value))
        if seen not in self._ignored:
            self._ignored.add(seen)
            log.warning("Ignored the saved setting %s=%r: it is not valid", row.key, row.value)
