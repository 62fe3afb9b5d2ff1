"""Statements per message, from the trace `statement_trace/sitecustomize.py` writes: how many
the desk sent to PostgreSQL in each phase of the relay benchmark, per customer text and per
operator answer, by statement and by the desk's code that sent it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TRACE_HOOK = Path(__file__).parent / "statement_trace"
SHOWN = 25


def statement_table(path: Path, phases: list[tuple[str, float, float, int]]) -> str:
    """`phases`: (name, monotonic start, end, messages) each."""
    rows = []
    for line in path.read_text().splitlines():
        at, statement, caller = line.split("\t")
        rows.append((float(at), statement, caller))
    out = []
    for name, start, end, messages in phases:
        mine = Counter((s, c) for at, s, c in rows if start <= at < end)
        total = sum(mine.values())
        out.append(f"\n{name}: {total} statements, {total / max(messages, 1):.2f} per message\n")
        out.append("| per message | statement | sent from |\n|---|---|---|")
        for (statement, caller), count in mine.most_common(SHOWN):
            out.append(f"| {count / max(messages, 1):.2f} | `{statement}` | {caller} |")
    return "\n".join(out)
