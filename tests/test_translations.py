"""Every message id in the code has an English, Russian and Ukrainian translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.base.i18n import LANGUAGES, Translator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _message_ids() -> set[str]:
    ids: set[str] = set()
    for folder in ("bot", "bridges", "admin_web"):
        if not (ROOT / folder).exists():
            continue
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT / folder), method_map=[("**.py", "python")], keywords={"_": None}
        ):
            ids.add(message)
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "admin_web" / "templates"),
        method_map=[("**.html", "jinja2")],
        keywords={"_": None},
    ):
        ids.add(message)
    return ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_id_is_translated(lang: str) -> None:
    catalog = Translator().catalog(lang)
    missing = sorted(i for i in _message_ids() if i not in catalog)
    assert not missing, f"{lang} lacks translations for: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang: str) -> None:
    for msgid, translated in Translator().catalog(lang).items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(translated)), msgid


def test_a_customer_name_cannot_inject_markup() -> None:
    from html import escape

    from bot.base.i18n import Text

    rendered = Translator().render("en", Text("Conversation #{number}", number="<b>1</b>"), escape)
    assert rendered == "Conversation #&lt;b&gt;1&lt;/b&gt;"
