"""Benchmark: the relay burst on an empty database and on one that holds a long history.

    .venv/bin/python -m tests.benchmarks.stored                       # SQLite, 100,000
    .venv/bin/python -m tests.benchmarks.stored --db postgres --conversations 20000
    .venv/bin/python -m tests.benchmarks.stored --against main

The same run as tests.benchmarks.relay (`relaydesk run` as its own process, CUSTOMERS x TEXTS
customer texts at once, then one operator reply each), once on a fresh database and once on
a database that first gets CONVERSATIONS closed conversations of earlier customers, each with
its contact, identity, topic, three messages both ways, their links on both sides and their
done deliveries (tests/benchmarks/stored_rows.py, bulk inserts). It prints both side by side:
the desk's peak resident memory (VmHWM) above all — a desk must not load its history into
memory — and its start, throughput and CPU. `--against REF` measures REF the same way first,
checked out in a temporary `git worktree`.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import logging
import time
from pathlib import Path

from tests.benchmarks.checkout import REPO, checked_out, describe, dirty
from tests.benchmarks.relay_run import Run, run
from tests.benchmarks.relay_table import table
from tests.benchmarks.stored_rows import fill
from tests.fakes.telegram import FakeTelegram

FAKE_BOT_ID: int = inspect.signature(FakeTelegram).parameters["bot_id"].default


async def _both(args: argparse.Namespace, name: str, tree: Path) -> tuple[Run, Run]:
    stored = functools.partial(fill, conversations=args.conversations, bot_id=FAKE_BOT_ID)
    print(f"... {name}, empty database", flush=True)
    empty = await run("empty", tree, args.db, args.customers, args.texts)
    print(f"... {name}, {args.conversations:,} stored conversations", flush=True)
    started = time.monotonic()
    full = await run(
        f"{args.conversations:,} stored", tree, args.db, args.customers, args.texts, fill=stored
    )
    print(f"    (filling and running took {time.monotonic() - started:.0f} s)", flush=True)
    return empty, full


def _report(name: str, empty: Run, full: Run) -> None:
    print(f"\n{name}\n")
    print(table([full], [empty], [empty, full]))
    print(f"\nPeak RSS: {full.rss_mib - empty.rss_mib:+.0f} MiB with the stored conversations")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--texts", type=int, default=5, help="texts per customer")
    parser.add_argument("--against", default="none", help='a commit, or "none"')
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.against.lower() != "none":
        old = f"old: {describe(args.against)}"
        with checked_out(args.against) as tree:
            _report(old, *await _both(args, "old", tree))
    new = f"new: {describe('HEAD')}{' + uncommitted changes' if dirty() else ''}"
    _report(new, *await _both(args, "new", REPO))


if __name__ == "__main__":
    asyncio.run(main())
