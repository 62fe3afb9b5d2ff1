"""Entities that do not fit their text (found by the endpoint fuzz) leave it plain."""

from __future__ import annotations

from bridges.telegram.render import text_html


def test_entities_that_fit_are_kept() -> None:
    assert text_html("hi <you>", [{"type": "bold", "offset": 0, "length": 2}]) == (
        "<b>hi</b> &lt;you&gt;"
    )


def test_entities_outside_the_text_or_splitting_an_emoji_leave_it_plain() -> None:
    for entity in (
        {"type": "bold", "offset": 1, "length": 1},  # half of 🙂 in UTF-16
        {"type": "bold", "offset": -1, "length": 2},
        {"type": "italic", "offset": 2, "length": 40},
    ):
        assert text_html("🙂 <a>", [entity]) == "🙂 &lt;a&gt;", entity
