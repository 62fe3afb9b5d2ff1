"""Benchmark: `relaydesk run` as its own process, relaying a burst, side by side with another
commit.

    .venv/bin/python -m tests.benchmarks.relay                   # SQLite, against HEAD~1
    .venv/bin/python -m tests.benchmarks.relay --db postgres     # PostgreSQL + Redis
    .venv/bin/python -m tests.benchmarks.relay --against main --rounds 3
    .venv/bin/python -m tests.benchmarks.relay --against none --profile desk.prof

The desk (`python -m relaydesk run`) is a process of its own, wired by its environment to the
fake Telegram Bot API, which runs in this process together with the driver (its CPU is reported
too, so that it is seen not to be the bottleneck). The fake enforces no limits and the desk is
told so (RELAYDESK_TELEGRAM_*_PER_* raised). Each run has a fresh database (a SQLite file, or a
new PostgreSQL database and an emptied Redis database 12), set up with `relaydesk import` (a
line in the forum group, three operators in it), then:

1. burst: CUSTOMERS customers each send TEXTS texts at once (round by round); it waits until
   every text was copied into its customer's topic and the desk has gone quiet;
2. replies: an operator answers once in each customer's topic, all at once; it waits until
   every reply reached its customer and the desk has gone quiet.

"new" is this working tree (with uncommitted changes), "old" is REF checked out in a temporary
`git worktree` (removed after); both run with this venv (PYTHONPATH = their tree). Runs are
sequential; with --rounds N the order alternates (old, new; new, old; ...) and the medians of
each side are compared. Ratios are new/old: below 1 is better for CPU, latency, calls and
memory, above 1 for throughput.

CPU is user + system time from /proc/<pid>/stat: the desk's, counted from the burst to the end
of the replies (its start separately); PostgreSQL's is that of the backends serving the run's
database (their process titles name it); Redis's is the whole redis-server (shared with anyone
else using it). --profile FILE runs the new tree once more under cProfile (not in the table;
the profiler slows it) and prints the desk's hotspots; --py-spy FILE does the same with py-spy
sampling every thread of the desk during burst and replies (`.venv/bin/pip install py-spy`;
with --py-spy-answers during the replies only);
--statements FILE (with --db postgres) runs it once more noting every statement the desk sends
to PostgreSQL, and prints how many each customer text and each operator answer cost, by
statement and by the desk's code that sent it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path

from tests.benchmarks.checkout import REPO, checked_out, describe, dirty
from tests.benchmarks.hotspots import hotspots
from tests.benchmarks.relay_run import Run, run
from tests.benchmarks.relay_table import table
from tests.benchmarks.sampled import sampled_hotspots
from tests.benchmarks.statements import statement_table


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--texts", type=int, default=5, help="texts per customer")
    parser.add_argument("--against", default="HEAD~1", help='a commit, or "none"')
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="cProfile the new tree into this file")
    parser.add_argument(
        "--py-spy", type=Path, help="sample the new tree with py-spy (raw stacks into this file)"
    )
    parser.add_argument(
        "--py-spy-answers",
        action="store_true",
        help="with --py-spy: sample the operators' answers only, not the burst before them",
    )
    parser.add_argument(
        "--statements",
        type=Path,
        help="PostgreSQL: count the new tree's statements per message (the trace into this file)",
    )
    args = parser.parse_args()
    if args.statements and args.db != "postgres":
        parser.error("--statements counts what goes to PostgreSQL: add --db postgres")
    return args


async def _compare(args: argparse.Namespace, old_tree: Path | None) -> list[Run]:
    runs: list[Run] = []
    for round_ in range(1, args.rounds + 1):
        sides = [("new", REPO)] + ([("old", old_tree)] if old_tree else [])
        if round_ % 2 == 1:
            sides.reverse()  # old first in odd rounds
        for side, tree in sides:
            label = f"{side} #{round_}" if args.rounds > 1 else side
            print(f"... {label}", flush=True)
            runs.append(await run(label, tree, args.db, args.customers, args.texts))
    return runs


async def main() -> None:
    args = _arguments()
    logging.basicConfig(level=logging.ERROR)
    against = None if args.against.lower() == "none" else args.against
    new_name = describe("HEAD") + (" + uncommitted changes" if dirty() else "")
    print(f"new: {new_name}")
    if against:
        print(f"old: {describe(against)}")
    if against:
        with checked_out(against) as old_tree:
            runs = await _compare(args, old_tree)
    else:
        runs = await _compare(args, None)
    new = [r for r in runs if r.label.startswith("new")]
    old = [r for r in runs if r.label.startswith("old")]
    print(
        f"\nRelaydesk relay benchmark, {args.db}"
        f"{' + Redis' if args.db == 'postgres' else ''}: {args.customers} customers x "
        f"{args.texts} texts at once, then one operator reply each\n"
    )
    print(table(new, old, runs))
    if args.profile:
        print(f"\n... new, under cProfile -> {args.profile}", flush=True)
        await run("profiled", REPO, args.db, args.customers, args.texts, args.profile.resolve())
        print(hotspots(args.profile))
    if args.py_spy:
        print(f"\n... new, sampled by py-spy -> {args.py_spy}", flush=True)
        path = args.py_spy.resolve()
        await run(
            "sampled",
            REPO,
            args.db,
            args.customers,
            args.texts,
            sampled=path,
            sampled_from="answers" if args.py_spy_answers else "burst",
        )
        print(sampled_hotspots(path))
    if args.statements:
        print(f"\n... new, its statements traced -> {args.statements}", flush=True)
        path = args.statements.resolve()
        traced = await run("traced", REPO, args.db, args.customers, args.texts, statements=path)
        print(statement_table(path, traced.phases))


if __name__ == "__main__":
    started = time.time()
    asyncio.run(main())
    print(f"\nWall time: {time.time() - started:.0f} s")
