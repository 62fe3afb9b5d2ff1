"""Okapi BM25 over short texts, in memory: an inverted index of terms to (document, count).
A search reads only the postings of the question's terms, so its cost follows the question
and the documents sharing its words, not the size of the index."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K1 = 1.2
B = 0.75
Doc = TypeVar("Doc")


@dataclass
class Bm25(Generic[Doc]):
    docs: list[Doc] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    total_length: int = 0

    def add(self, doc: Doc, doc_terms: Sequence[str]) -> None:
        index = len(self.docs)
        self.docs.append(doc)
        self.lengths.append(len(doc_terms))
        self.total_length += len(doc_terms)
        for term, count in Counter(doc_terms).items():
            self.postings.setdefault(term, []).append((index, count))

    def search(
        self, query: Iterable[str], allowed: Callable[[Doc], bool], limit: int
    ) -> list[tuple[Doc, float]]:
        """The best `limit` documents that `allowed` lets through, best first."""
        if not self.docs:
            return []
        average = self.total_length / len(self.docs) or 1.0
        scores: dict[int, float] = {}
        for term in set(query):
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (len(self.docs) - len(posting) + 0.5) / (len(posting) + 0.5))
            for index, count in posting:
                norm = K1 * (1 - B + B * self.lengths[index] / average)
                scores[index] = scores.get(index, 0.0) + idf * count * (K1 + 1) / (count + norm)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        found = []
        for index, score in ranked:
            if allowed(self.docs[index]):
                found.append((self.docs[index], score))
                if len(found) == limit:
                    break
        return found
