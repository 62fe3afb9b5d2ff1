"""The desk's hotspots from a cProfile file: functions of the desk (bot/, bridges/, storage/,
relaydesk/) and of the libraries it relays through, by cumulative and by own time."""

from __future__ import annotations

import pstats
from pathlib import Path

WATCHED = ("/bot/", "/bridges/", "/storage/", "/relaydesk/", "aiogram", "tortoise", "pypika")
TOP = 15


def _where(filename: str) -> str:
    for marker in ("site-packages/", "/wt-", "/tree/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return filename


def _rows(stats: pstats.Stats, column: int, watched: bool) -> list[str]:
    table = stats.stats  # type: ignore[attr-defined]
    chosen = [
        (key, value)
        for key, value in table.items()
        if not watched or any(marker in key[0] for marker in WATCHED)
    ]
    chosen.sort(key=lambda item: item[1][column], reverse=True)
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in chosen[:TOP]:
        where = f"{_where(filename)}:{line}" if line else filename
        rows.append(f"| {cumulative:.2f} | {own:.2f} | {calls} | `{name}` {where} |")
    return rows


def hotspots(path: Path) -> str:
    stats = pstats.Stats(str(path))
    total = max(value[3] for value in stats.stats.values())  # type: ignore[attr-defined]
    header = ["| cumulative s | own s | calls | function |", "|---|---|---|---|"]
    parts = [f"\nProfile of the desk's main thread, {total:.1f} s in all (cProfile)"]
    for title, column, watched in (
        ("desk and library functions by cumulative time", 3, True),
        ("desk and library functions by own time", 2, True),
        ("any function by own time", 2, False),
    ):
        parts += [f"\nTop {TOP} {title}:\n", *header, *_rows(stats, column, watched)]
    return "\n".join(parts)
