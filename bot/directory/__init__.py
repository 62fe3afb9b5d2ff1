"""The directory: lines, operators, members, entry points and quick replies, and the one place
that changes them.

The CLI and the file import call it today and the admin panel will tomorrow, so every check
lives here. Bad input raises `DirectoryError` before anything is written, its words a `Text`
that each reader sees in their language, and each change runs in one transaction with its
audit entry.

- `checks`: pure validation of settings, shared by the services and the file import
- `lines`, `operators`, `members`, `entry_points`, `quick_replies`: the services
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from bot.base.i18n import Text, english

Change = Literal["created", "updated", "unchanged"]
CLI = "cli"  # the actor name of changes made from the command line


class DirectoryError(Exception):
    """Input a person can fix: `text` says what in their language once translated (the CLI
    and files say it in English, `message`); `field` says where when a field is wrong."""

    def __init__(self, text: Text, field: str | None = None) -> None:
        self.text = text
        self.field = field
        super().__init__(str(self))

    @property
    def message(self) -> str:
        return english(self.text)

    @property
    def located(self) -> Text:
        """`field: text`, or the text alone when no field is wrong."""
        return (
            Text("{field}: {text}", field=self.field, text=self.text) if self.field else self.text
        )

    def __str__(self) -> str:
        return english(self.located)

    def at(self, where: str) -> DirectoryError:
        """The same problem seen from a file: `lines[1]` + `routing_policy`."""
        return DirectoryError(self.text, f"{where}.{self.field}" if self.field else where)


def now() -> datetime:
    """When a change happens, for its audit entry."""
    return datetime.now(UTC)


def changed_columns(row: Any, columns: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{column: [old, new]}` for the real changes only: importing a file twice changes
    nothing, so nothing is written or audited."""
    return {k: [getattr(row, k), v] for k, v in columns.items() if getattr(row, k) != v}
