"""Character-level helpers the parsers share (TDLib's td:: string utilities), and the
parse error they raise."""

from __future__ import annotations

import re

SPACES = frozenset(" \t\r\n\v\f\0")  # td::is_space; "\0" stands for the end of the text
_INTEGER = re.compile(r"-?[0-9]+")
_INT64_MAX = 2**63 - 1


class MarkupError(Exception):
    """A parse error; the text is TDLib's, e.g. 'Unsupported start tag "x" at byte offset 0'."""


def at(text: str, index: int) -> str:
    """text[index], or "\\0" past the end (TDLib reads NUL-terminated strings)."""
    return text[index] if index < len(text) else "\0"


def units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def where(text: str, index: int) -> str:
    return f"at byte offset {byte_offset(text, index)}"


def is_space(ch: str) -> bool:
    return ch in SPACES


def is_alpha(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def is_alnum(ch: str) -> bool:
    return is_alpha(ch) or is_digit(ch)


def lower(text: str) -> str:
    """td::to_lower: ASCII letters only."""
    return "".join(ch.lower() if "A" <= ch <= "Z" else ch for ch in text)


def int64(value: str) -> int | None:
    if not _INTEGER.fullmatch(value):
        return None
    number = int(value)
    return number if -_INT64_MAX - 1 <= number <= _INT64_MAX else None
