"""Regular expressions in rules that cannot stall the desk.

Python's `re` cannot be interrupted once a match runs, so the time limit is kept by shape,
not by a clock: a pattern is refused at save time unless its worst case is small, and the
text it runs over is cut to `MAX_TEXT` characters. Refused: a repeat inside a repeat
(`(a+)+`), a repeat over alternatives that can start alike (`(a|ab)*`; alternatives of
plain, distinct words are fine) and back-references, which backtrack exponentially; and
patterns whose repeats could combine in more than `MAX_STEPS` ways over the text (each
repeat may take up to its width, capped at `MAX_TEXT`; a search starts at every
character), which backtrack polynomially: in practice one open-ended repeat (`* + {n,}`)
and a few short ones, any number of possessive ones (`*+`, which never backtrack). A
search therefore takes milliseconds at worst
(tests/test_rules_refusals.py measures the worst pattern allowed).
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's opcodes: stable names since Python 3.11
import re._parser as sre_parse
from typing import Any

from bot.base.i18n import Text, _

MAX_PATTERN = 300
MAX_TEXT = 1000
MAX_STEPS = 2 * MAX_TEXT * MAX_TEXT
FLAGS = re.IGNORECASE


class UnsafePattern(ValueError):
    """A pattern a rule may not use; `text` says why in plain words."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


def compile_safe(pattern: Any) -> re.Pattern[str]:
    """The compiled pattern (case-insensitive), or UnsafePattern with the reason."""
    if not isinstance(pattern, str) or not pattern:
        raise UnsafePattern(Text(_("must be a regular expression")))
    if len(pattern) > MAX_PATTERN:
        too_long = _("a regular expression may be at most {count} characters long")
        raise UnsafePattern(Text(too_long, count=MAX_PATTERN))
    try:
        parsed = sre_parse.parse(pattern, FLAGS)
        compiled = re.compile(pattern, FLAGS)
    except re.error as error:
        bad = _("{pattern!r} is not a valid regular expression: {problem}")
        raise UnsafePattern(Text(bad, pattern=pattern, problem=str(error))) from None
    if MAX_TEXT * _walk(list(parsed), inside_repeat=False) > MAX_STEPS:
        many = _(
            "a regular expression may hold one open-ended repeat (* + {{n,}}) and a few short "
            "ones; make the others possessive (\\s*+ \\d++), which never backtrack. Rules "
            "search anywhere in the text, so a leading or trailing .* is not needed"
        )
        raise UnsafePattern(Text(many))
    return compiled


def search(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text[:MAX_TEXT]) is not None


def _walk(items: list[tuple[Any, Any]], *, inside_repeat: bool) -> int:
    """In how many ways `items` may match at one place, at most (a sequence multiplies, a
    choice adds); UnsafePattern for a shape that may run away."""
    ways = 1
    for op, value in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            _low, high, body = value
            repeats = high > 1
            if repeats and inside_repeat:
                raise UnsafePattern(Text(NESTED))
            # A possessive repeat (`\s*+`) never gives back what it took: one way only.
            width = 1 if op == sre.POSSESSIVE_REPEAT else min(high, MAX_TEXT)
            ways *= width * _walk(list(body), inside_repeat=repeats)
        elif op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            raise UnsafePattern(Text(_("back-references (\\1) are not allowed in rules")))
        elif op == sre.SUBPATTERN:
            ways *= _walk(list(value[-1]), inside_repeat=inside_repeat)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            ways *= _walk(list(value[1]), inside_repeat=inside_repeat)
        elif op == sre.ATOMIC_GROUP:
            ways *= _walk(list(value), inside_repeat=inside_repeat)
        elif op == sre.BRANCH:
            alternatives = [list(a) for a in value[1]]
            if inside_repeat:
                _distinct_words(alternatives)
            ways *= sum(_walk(a, inside_repeat=inside_repeat) for a in alternatives)
        ways = min(ways, MAX_STEPS + 1)  # enough to refuse; no huge numbers
    return ways


NESTED = _("a repeat inside a repeat, like (a+)+, can run for ever; write it without nesting")


def _distinct_words(alternatives: list[list[tuple[Any, Any]]]) -> None:
    """Alternatives under a repeat must be plain words none of which starts another: then
    each step of the match has one way on, and nothing backtracks."""
    words = []
    for alternative in alternatives:
        if any(op != sre.LITERAL for op, _value in alternative):
            raise UnsafePattern(Text(REPEATED_CHOICE))
        words.append("".join(chr(value) for _op, value in alternative).casefold())
    for word in words:
        if not word or any(o != word and o.startswith(word) for o in words):
            raise UnsafePattern(Text(REPEATED_CHOICE))


REPEATED_CHOICE = _(
    "a repeated choice, like (a|ab)*, may only choose between plain words none of which "
    "starts another; use a character class such as [ab] instead"
)
