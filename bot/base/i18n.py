"""Translations from the gettext catalogs in `locales/`, read once at start-up.

`locales` is shipped as a package (its `.po` files are package data), so the catalogs are found
with importlib.resources wherever the wheel is installed, not next to the source tree."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LANGUAGES = ("en", "ru", "uk")
DOMAIN = "relaydesk"
LOCALES_DIR: Traversable = files("locales")


def _(msgid: str) -> str:
    """Marks a message id for extraction; translation happens where the audience is known."""
    return msgid


@dataclass(frozen=True)
class Text:
    """A message id and its arguments, translated when its reader's language is known."""

    msgid: str
    args: dict[str, Any] = field(default_factory=dict)

    def __init__(self, msgid: str, **args: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "args", args)


def verbatim(text: str) -> Text:
    """Words someone typed (a line's greeting), shown as they are in every language; as an
    argument they are escaped like customer data."""
    return Text("{text}", text=text)


def english(text: Text | str) -> str:
    """`text` in the words it was written in, without a catalog: for logs, an exception's
    `str()` and a file's problems. Readers with a language get `Translator.render`."""
    if not isinstance(text, Text):
        return text
    return text.msgid.format(**{key: _english_arg(value) for key, value in text.args.items()})


def _english_arg(value: Any) -> Any:
    if isinstance(value, list):
        return "\n".join(str(_english_arg(item)) for item in value)
    return english(value) if isinstance(value, Text) else value


# Parsing the `.po` files takes a fifth of a second; every part of the desk that speaks
# (the core, its health, the checks) shares what one parse read.
_READ: dict[str, dict[str, dict[str, str]]] = {}


def _catalogs(locales_dir: Traversable) -> dict[str, dict[str, str]]:
    """Each language's translations in `locales_dir`, read once per process."""
    key = str(locales_dir)
    if key not in _READ:
        _READ[key] = {lang: _read_catalog(locales_dir, lang) for lang in LANGUAGES}
    return _READ[key]


def _read_catalog(locales_dir: Traversable, lang: str) -> dict[str, str]:
    folder = locales_dir / lang / "LC_MESSAGES"
    found = folder.iterdir() if folder.is_dir() else []
    paths = sorted((p for p in found if p.name.endswith(".po")), key=lambda p: p.name)
    entries: dict[str, str] = {}
    for path in paths:  # relaydesk.po, and one catalog per area when it has its own
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id and message.string and not message.fuzzy:
                    entries[str(message.id)] = str(message.string)
    if not paths:
        log.warning("No %s catalog in %s: %s falls back to English", lang, folder, lang)
    return entries


def pick_language(code: str | None, fallback: str = "en") -> str:
    """Telegram sends IETF tags such as `pt-br` or `uk`; keep what we have catalogs for."""
    if code:
        base = code.split("-")[0].split("_")[0].lower()
        if base in LANGUAGES:
            return base
    return fallback


class Translator:
    def __init__(self, locales_dir: Traversable = LOCALES_DIR) -> None:
        self._catalogs = _catalogs(locales_dir)

    def catalog(self, lang: str) -> dict[str, str]:
        return self._catalogs.get(lang, {})

    def gettext(self, lang: str, msgid: str, **args: Any) -> str:
        template = self._catalogs.get(lang, {}).get(msgid, msgid)
        if not args:
            return template
        try:
            return template.format(**args)
        except (KeyError, IndexError, ValueError):
            log.error("Catalog %s has a broken translation of %r", lang, msgid)
            return msgid.format(**args)

    def render(
        self, lang: str, text: Text | str, escape: Callable[[str], str] | None = None
    ) -> str:
        """Translate `text`; `escape` is applied to the arguments (customer data), not the
        template, so markup in a catalog survives and markup in a customer's name does not."""
        if isinstance(text, Text):
            args = {key: self._arg(lang, value, escape) for key, value in text.args.items()}
            return self.gettext(lang, text.msgid, **args)
        return escape(text) if escape else text

    def _arg(self, lang: str, value: Any, escape: Callable[[str], str] | None) -> Any:
        if isinstance(value, list):
            return "\n".join(str(self._arg(lang, item, escape)) for item in value)
        if isinstance(value, Text):
            return self.render(lang, value, escape)
        if isinstance(value, str) and escape:
            return escape(value)
        return value
