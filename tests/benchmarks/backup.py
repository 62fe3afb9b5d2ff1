"""Benchmark: moving a desk with a long history between databases.

    .venv/bin/python -m tests.benchmarks.backup                        # 20,000 conversations
    .venv/bin/python -m tests.benchmarks.backup --conversations 100000

A SQLite database gets the benchmark's line and operators (`relaydesk import`) and
CONVERSATIONS closed conversations with their contacts, identities, topics, messages, links
and done deliveries (tests/benchmarks/stored_rows.py). Then, each as its own `relaydesk`
process: `export` from SQLite, `import-data` into a new PostgreSQL database, `export` from
PostgreSQL, `import-data` into a new SQLite file. For each it prints the rows, the time,
rows a second and the process's peak resident memory (VmHWM, read while it runs): a desk
of any size must move at steady memory. The two exports are compared row by row.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import shutil
import tempfile
import time
from pathlib import Path

from tests.benchmarks.proc import peak_rss_mib
from tests.benchmarks.relay_run import setup_file
from tests.benchmarks.stored_rows import fill
from tests.fakes.databases import create_database, drop_database
from tests.fakes.process import spawn_command
from tests.fakes.telegram import FakeTelegram

FAKE_BOT_ID: int = inspect.signature(FakeTelegram).parameters["bot_id"].default


async def relaydesk(url: str, *args: str, cwd: Path) -> tuple[float, float, str]:
    """Runs `relaydesk ARGS` on `url`: (seconds, peak RSS in MiB, its output)."""
    started = time.monotonic()
    process = await spawn_command(url, *args, cwd=cwd, stderr=asyncio.subprocess.STDOUT)
    peak = 0.0
    waiting = asyncio.create_task(process.communicate())
    while not waiting.done():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            peak = max(peak, peak_rss_mib(process.pid))  # unless it has just exited
        await asyncio.wait([waiting], timeout=0.05)
    out, _ = waiting.result()
    if process.returncode:
        raise SystemExit(f"relaydesk {' '.join(args)} failed:\n{out.decode()}")
    return time.monotonic() - started, peak, out.decode()


def _rows(output: str) -> int:
    first = output.splitlines()[0]  # "Exported to FILE: N rows"
    return int(first.rsplit(":", 1)[1].split()[0])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="relaydesk-backup-"))
    source, _ = await create_database("sqlite", folder)
    postgres, pg_name = await create_database("postgres", folder)
    copy, _ = await create_database("sqlite", folder)
    try:
        await relaydesk(source, "import", str(setup_file(folder)), cwd=folder)
        print(f"... filling {args.conversations} conversations")
        await fill(source, args.conversations, FAKE_BOT_ID)
        steps = [
            ("export, SQLite", source, "export", "sqlite.jsonl"),
            ("import-data, PostgreSQL", postgres, "import-data", "sqlite.jsonl"),
            ("export, PostgreSQL", postgres, "export", "postgres.jsonl"),
            ("import-data, SQLite", copy, "import-data", "postgres.jsonl"),
        ]
        print(f"\n{args.conversations} conversations\n")
        print("| step | rows | seconds | rows/s | peak RSS, MiB |")
        print("|---|---|---|---|---|")
        for label, url, command, file in steps:
            seconds, peak, output = await relaydesk(url, command, file, cwd=folder)
            rows = _rows(output)
            print(f"| {label} | {rows} | {seconds:.1f} | {rows / seconds:,.0f} | {peak:.0f} |")
        first = (folder / "sqlite.jsonl").read_text(encoding="utf-8").splitlines()[1:]
        second = (folder / "postgres.jsonl").read_text(encoding="utf-8").splitlines()[1:]
        size = (folder / "sqlite.jsonl").stat().st_size / 2**20
        print(f"\nthe file: {size:.0f} MiB; the two exports are the same: {first == second}")
    finally:
        await drop_database(pg_name)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
