"""Suggested answers, measured: for each language a desk's ~25 quick replies and 50 customer
questions (paraphrased, not the replies' words) each labelled with the reply that answers it.
Prints precision@1 and @3 per language, and the CPU time of one suggestion.

    .venv/bin/python -m tests.benchmarks.suggestions [--rounds N]

Runs the desk's own code (bot/suggestions: words, BM25, the index and its search) on the
texts in memory: no database, no network.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from pathlib import Path

from bot.suggestions.index import REPLY, AnswerIndex, Entry
from bot.suggestions.words import LANGUAGES, language_of

DATA = Path(__file__).parent / "data"


def _load(language: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    data = json.loads((DATA / f"suggestions_{language}.json").read_text())
    return data["replies"], [(q, a) for q, a in data["questions"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="searches timed per question")
    args = parser.parse_args()
    entries, questions, names = [], {}, {}
    for language in LANGUAGES:
        replies, asked = _load(language)
        for ref, (name, text) in enumerate(replies.items(), start=len(names)):
            names[ref] = name
            entries.append(Entry(REPLY, ref, language, name, text))
        questions[language] = asked
    tracemalloc.start()
    index = AnswerIndex(entries)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"{len(entries)} quick-reply texts indexed, {memory / 1024:.0f} KiB in memory\n")
    print(f"{'language':<9}{'questions':>10}{'replies':>9}{'p@1':>8}{'p@3':>8}{'lang ok':>9}")
    cpu_total, searches = 0.0, 0
    for language in LANGUAGES:
        asked = questions[language]
        first = three = detected = 0
        for question, wanted in asked:
            guessed = language_of(question, language)
            detected += guessed == language
            found = index.search(question, guessed, line_id=1, operator_id=None, limit=3)
            picked = [names[f.entry.ref] for f in found]
            first += bool(picked) and picked[0] == wanted
            three += wanted in picked
            started = time.process_time()
            for _ in range(args.rounds):
                index.search(question, guessed, line_id=1, operator_id=None, limit=3)
            cpu_total += time.process_time() - started
            searches += args.rounds
        count = len(asked)
        replies = sum(1 for e in entries if e.language == language)
        print(
            f"{language:<9}{count:>10}{replies:>9}{first / count:>8.0%}{three / count:>8.0%}"
            f"{detected / count:>9.0%}"
        )
    print(f"\nCPU per suggestion: {cpu_total / searches * 1e6:.0f} µs ({searches} searches)")


if __name__ == "__main__":
    main()
