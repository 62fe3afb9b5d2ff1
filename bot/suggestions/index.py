"""The team's texts as one BM25 index per language: each quick reply in each language it has,
and each earlier answer of an operator with the customer's question before it. Built whole
from a list of entries (cheap: about 10 ms for 3,000), so a refresh is a rebuild."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.suggestions.bm25 import Bm25
from bot.suggestions.words import LANGUAGES, terms

REPLY = "reply"
ANSWER = "answer"


@dataclass(frozen=True)
class Entry:
    """A text that may be suggested. `ref` is the quick reply's id or the answer message's
    id; `line_id` is the line it belongs to (None: every line), `operator_id` the owner of a
    personal quick reply."""

    kind: str
    ref: int
    language: str
    label: str
    text: str
    question: str = ""
    scope: str = "global"
    line_id: int | None = None
    operator_id: int | None = None


@dataclass(frozen=True)
class Found:
    entry: Entry
    score: float


class AnswerIndex:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self._by_language: dict[str, Bm25[Entry]] = {lang: Bm25() for lang in LANGUAGES}
        self.size = 0
        for entry in entries:
            index = self._by_language.setdefault(entry.language, Bm25())
            name = entry.label.replace("-", " ").replace("_", " ") if entry.kind == REPLY else ""
            index.add(entry, terms(f"{name} {entry.question} {entry.text}", entry.language))
            self.size += 1

    def search(
        self, question: str, language: str, *, line_id: int, operator_id: int | None, limit: int
    ) -> list[Found]:
        """The best entries of `language` that may be used in `line_id` (a personal reply
        only by its owner), one per text, best first."""
        index = self._by_language.get(language)
        query = terms(question, language)
        if index is None or not query:
            return []

        def allowed(entry: Entry) -> bool:
            if entry.scope == "personal":
                return operator_id is not None and entry.operator_id == operator_id
            return entry.line_id is None or entry.line_id == line_id

        found, seen = [], set()
        for entry, score in index.search(query, allowed, limit * 3):
            key = entry.text.strip().casefold()
            if key in seen:
                continue
            seen.add(key)
            found.append(Found(entry, score))
            if len(found) == limit:
                break
        return found
