"""The desk's hotspots from a cProfile file: functions of the desk (bot/, bridges/, storage/,
relaydesk/) and of the libraries it relays through, by cumulative and by own time."""

from __future__ import annotations

import pstats
from pathlib import Path

DESK = ("/bot/", "/bridges/", "/storage/", "/relaydesk/")
WATCHED = (*DESK, "aiogram", "tortoise", "pypika")
# Not hotspots: module bodies (the imports at start, reported apart), the `run` command that
# holds everything, and the event loop waiting for I/O.
LEFT_OUT = ("<module>", "main", "cmd_run", "<method 'poll' of 'select.epoll' objects>")
TOP = 15


def _where(filename: str) -> str:
    for marker in ("site-packages/", "/wt-", "/tree/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return filename


def _rows(stats: pstats.Stats, column: int, watched: tuple[str, ...]) -> list[str]:
    table = stats.stats  # type: ignore[attr-defined]
    chosen = [
        (key, value)
        for key, value in table.items()
        if key[2] not in LEFT_OUT and (not watched or any(m in key[0] for m in watched))
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
    imports = sum(
        value[3]
        for (filename, _, name), value in stats.stats.items()  # type: ignore[attr-defined]
        if name == "<module>" and filename.endswith(("relaydesk/app.py", "relaydesk/cli/main.py"))
    )
    parts = [
        f"\nProfile of the desk's main thread, {total:.1f} s in all (cProfile), of which "
        f"{imports:.1f} s importing at start"
    ]
    for title, column, watched in (
        ("desk functions (bot/, bridges/, storage/) by cumulative time", 3, DESK),
        ("desk, aiogram and tortoise functions by own time", 2, WATCHED),
        ("any function by own time", 2, ()),
    ):
        parts += [f"\nTop {TOP} {title}:\n", *header, *_rows(stats, column, watched)]
    return "\n".join(parts)
