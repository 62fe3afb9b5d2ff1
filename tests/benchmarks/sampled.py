"""py-spy (when installed: `.venv/bin/pip install py-spy`; not a dependency) sampling a running
desk, every thread, and its hotspots from the collapsed stacks it writes."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import sys
from collections import Counter
from pathlib import Path

from tests.benchmarks.hotspots import DESK, LEFT_OUT, TOP, WATCHED

# Leaf frames of a thread that waits (py-spy counts a wait in C as running here): the event
# loop in epoll, aiosqlite's thread and a thread pool's worker blocked on their queues.
WAITING = ("EpollSelector.select ", "_connection_worker_thread ", "_worker (concurrent")
FRAME = re.compile(r"^(?P<name>.+?) \((?P<file>.+?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise SystemExit("--py-spy needs py-spy: .venv/bin/pip install py-spy")
    return found


class Sampler:
    """`py-spy record` attached to a pid until `stop()` (SIGINT makes it write the file)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._process: asyncio.subprocess.Process | None = None

    async def start(self, pid: int) -> None:
        self._process = await asyncio.create_subprocess_exec(
            py_spy(),
            "record",
            "--pid",
            str(pid),
            "--rate",
            "200",
            "--format",
            "raw",
            "--function",
            "--nonblocking",
            "--output",
            str(self.output),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGINT)
            await self._process.wait()


def _short(frame: str) -> str:
    match = FRAME.match(frame)
    if match is None:
        return frame
    where = match["file"]
    for marker in ("site-packages/", "/wt-", "/tree/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"`{match['name']}` {where}:{match['line'] or ''}"


def _among(frame: str, markers: tuple[str, ...]) -> bool:
    """py-spy names files relative to their sys.path entry: "bot/outbox/worker.py"."""
    match = FRAME.match(frame)
    if match is not None and match["name"] in LEFT_OUT:
        return False
    where = frame.replace(" (", " (/", 1)
    return not markers or any(marker in where for marker in markers)


def sampled_hotspots(path: Path) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[-1].startswith(WAITING):
            continue
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    parts = [
        f"\npy-spy: {total} samples (200/s) of the desk's threads at work (waits left out) "
        "during burst and replies"
    ]
    header = ["| inclusive % | own % | function |", "|---|---|---|"]
    for title, order, markers in (
        ("desk functions (bot/, bridges/, storage/) by inclusive samples", inclusive, DESK),
        ("desk, aiogram and tortoise functions by own samples", own, WATCHED),
        ("any function by own samples", own, ()),
    ):
        chosen = [f for f, _ in order.most_common() if _among(f, markers)]
        parts += [f"\nTop {TOP} {title}:\n", *header]
        parts += [
            f"| {100 * inclusive[f] / total:.1f} | {100 * own[f] / total:.1f} | {_short(f)} |"
            for f in chosen[:TOP]
        ]
    return "\n".join(parts)
