"""Regular expressions in rules that cannot stall the desk.

Python's `re` cannot be interrupted once a match runs, so a time limit is kept by shape,
not by a clock: a pattern is refused at save time unless its worst case is small, and the
text it runs over is cut to `MAX_TEXT` characters. Refused: a repeat inside a repeat
(`(a+)+`), a repeat over alternatives that can start alike (`(a|ab)*`; alternatives of
plain, distinct words are fine), back-references, and more than `MAX_OPEN_REPEATS`
unbounded repeats. What remains backtracks at most about `MAX_TEXT ** MAX_OPEN_REPEATS`
steps: a few milliseconds in the worst case (tests/test_rules_refusals.py measures it).
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's opcodes: stable names since Python 3.11
import re._parser as sre_parse
from typing import Any

from bot.base.i18n import Text, _

MAX_PATTERN = 300
MAX_TEXT = 1000
MAX_OPEN_REPEATS = 2
WIDE = 100  # a repeat allowed more times than this counts as unbounded
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
    if _walk(list(parsed), inside_repeat=False) > MAX_OPEN_REPEATS:
        many = _("a regular expression may have at most {count} open-ended repeats (* + {{n,}})")
        raise UnsafePattern(Text(many, count=MAX_OPEN_REPEATS))
    return compiled


def search(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text[:MAX_TEXT]) is not None


def _walk(items: list[tuple[Any, Any]], *, inside_repeat: bool) -> int:
    """The open-ended repeats of `items`; UnsafePattern for a shape that may run away."""
    found = 0
    for op, value in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, body = value
            repeats = high > 1
            if repeats and inside_repeat:
                raise UnsafePattern(Text(NESTED))
            found += high == sre.MAXREPEAT or high > WIDE
            found += _walk(list(body), inside_repeat=inside_repeat or repeats)
        elif op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            raise UnsafePattern(Text(_("back-references (\\1) are not allowed in rules")))
        elif op == sre.SUBPATTERN:
            found += _walk(list(value[-1]), inside_repeat=inside_repeat)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found += _walk(list(value[1]), inside_repeat=inside_repeat)
        elif op == sre.ATOMIC_GROUP:
            found += _walk(list(value), inside_repeat=inside_repeat)
        elif op == sre.BRANCH:
            alternatives = [list(a) for a in value[1]]
            if inside_repeat:
                _distinct_words(alternatives)
            found += sum(_walk(a, inside_repeat=inside_repeat) for a in alternatives)
    return found


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
