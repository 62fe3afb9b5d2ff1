"""The global settings an admin may change while the desk runs: which, and their rules.

The environment gives the first values; a value saved from the admin panel (a `Setting`
row) wins over it, now and after a restart, on every instance: `live_settings` keeps the
values the core reads and saves a change.
"""

from __future__ import annotations

from typing import Any

from bot.base.i18n import LANGUAGES, Text, _
from storage.models import Setting

EDITABLE = ("note_prefix", "default_language", "assign_on_reply")
NOTE_PREFIX_LIMIT = 16
_TRUE, _FALSE = ("true", "on", "yes", "1"), ("false", "off", "no", "0", "")


class SettingRefusal(ValueError):
    """A value a person can fix; `text` says why in their language once translated."""

    def __init__(self, key: str, text: Text) -> None:
        super().__init__(f"{key}: {text.msgid}")
        self.key = key
        self.text = text


def check(key: str, value: Any) -> Any:
    """The value as stored, or `SettingRefusal`."""
    if key == "note_prefix":
        prefix = value.strip() if isinstance(value, str) else ""
        if not prefix or len(prefix) > NOTE_PREFIX_LIMIT or any(c.isspace() for c in prefix):
            refusal = _("The prefix is 1 to {limit} characters without spaces.")
            raise SettingRefusal(key, Text(refusal, limit=NOTE_PREFIX_LIMIT))
        if prefix[0].isalnum():
            # "a" would turn every answer starting with "a" into a note.
            refusal = _("The prefix must start with a sign such as / or #, not a letter or digit.")
            raise SettingRefusal(key, Text(refusal))
        return prefix
    if key == "default_language":
        if value not in LANGUAGES:
            raise SettingRefusal(
                key, Text(_("Choose one of: {languages}."), languages=", ".join(LANGUAGES))
            )
        return value
    if key == "assign_on_reply":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE + _FALSE:
            return text in _TRUE
        raise SettingRefusal(key, Text(_("Choose yes or no.")))
    raise SettingRefusal(key, Text(_("There is no setting {key}."), key=key))


def stored(row: Setting) -> Any:
    """Kept as `{"value": ...}`: tortoise's JSONField cannot hold a bare text."""
    value = row.value
    return value["value"] if isinstance(value, dict) and "value" in value else value
