"""Benchmark: how soon `relaydesk run` serves, side by side with another commit.

    .venv/bin/python -m tests.benchmarks.start                    # SQLite, against HEAD~1
    .venv/bin/python -m tests.benchmarks.start --against main --rounds 5

Each start is a fresh SQLite database set up with `relaydesk import` (a line in the fake's
forum group), then `relaydesk run` as its own process against the fake Telegram in this
process. Timed from spawn: the admin panel's sign-in page answering 200 (serving), /healthz
saying ok (Telegram connected) and the fake serving the first getUpdates; with the desk's CPU
and resident memory once all three happened. Every tree starts once first, unmeasured, so that
its .pyc files are written (the first start after an install compiles them).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.checkout import REPO, checked_out, describe, dirty
from tests.benchmarks.desk_process import DeskProcess
from tests.benchmarks.proc import cpu_seconds, peak_rss_mib
from tests.benchmarks.relay_run import setup_file
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS
from tests.fakes.telegram import FakeTelegram


@dataclass
class Start:
    serving: float
    healthy: float
    first_poll: float
    cpu: float
    rss_mib: float


async def start_once(tree: Path) -> Start:
    folder = Path(tempfile.mkdtemp(prefix="relaydesk-start-"))
    fake = FakeTelegram()
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    desk = DeskProcess(fake, f"sqlite://{folder / 'start.db'}", folder, tree)
    try:
        await desk.cli("import", str(setup_file(folder)))
        await desk.start()
        return Start(
            desk.serving_in,
            desk.healthy_in,
            desk.first_poll_in,
            cpu_seconds(desk.pid),
            peak_rss_mib(desk.pid),
        )
    finally:
        await desk.stop()
        await fake.close()
        shutil.rmtree(folder, ignore_errors=True)


ROWS = [
    ("start → admin panel answers (serving), s", lambda s: s.serving),
    ("start → /healthz ok, s", lambda s: s.healthy),
    ("start → first getUpdates, s", lambda s: s.first_poll),
    ("desk CPU until then, s", lambda s: s.cpu),
    ("desk peak RSS then, MiB", lambda s: s.rss_mib),
]


def _table(sides: dict[str, list[Start]]) -> str:
    names = list(sides)
    lines = ["| metric | " + " | ".join(f"{n} (median)" for n in names) + " |"]
    lines.append("|" + "---|" * (len(names) + 1))
    for title, value in ROWS:
        cells = [f"{statistics.median(value(s) for s in sides[n]):.2f}" for n in names]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


async def _measure(trees: dict[str, Path], rounds: int) -> dict[str, list[Start]]:
    for tree in trees.values():
        await start_once(tree)  # writes the .pyc files
    sides: dict[str, list[Start]] = {name: [] for name in trees}
    for round_ in range(rounds):
        order = list(trees) if round_ % 2 else list(reversed(trees))
        for name in order:
            one = await start_once(trees[name])
            print(f"... {name}: {one}", flush=True)
            sides[name].append(one)
    return sides


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", default="HEAD~1", help='a commit, or "none"')
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"new: {describe('HEAD')}{' + uncommitted changes' if dirty() else ''}")
    if args.against.lower() == "none":
        sides = await _measure({"new": REPO}, args.rounds)
    else:
        print(f"old: {describe(args.against)}")
        with checked_out(args.against) as old:
            sides = await _measure({"new": REPO, "old": old}, args.rounds)
    print(f"\n`relaydesk run` on SQLite, {args.rounds} starts each\n")
    print(_table(sides))


if __name__ == "__main__":
    asyncio.run(main())
