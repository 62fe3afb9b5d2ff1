"""Benchmark: one `relaydesk run` against two, on one PostgreSQL database and one Redis.

    .venv/bin/python -m tests.benchmarks.instances                  # 3 rounds, 200 x 5
    .venv/bin/python -m tests.benchmarks.instances --rounds 5 --customers 300
    .venv/bin/python -m tests.benchmarks.instances --py-spy spy.txt # sampled, one more run

Each desk is a process of its own, in webhook mode behind relaydesk/proxy.py (round robin);
the fake Telegram in this process calls the proxy's address with up to 40 updates at once
(each chat's in order), as Telegram calls a webhook. The work is the relay benchmark's
(tests/benchmarks/relay_run.py): CUSTOMERS customers send TEXTS texts each at once; once all
are in their topics, an operator answers once in each topic. Every run has a fresh database
and an emptied Redis database 1 of RELAYDESK_TEST_REDIS's server. Runs alternate (one, two;
two, one; …) and the medians are compared: the ratio two/one is above 1 where two are faster.
CPU: each desk's, the PostgreSQL backends' serving the run's database and the Redis server's,
from /proc; "fake + driver" is this process (the fake, the proxy, the driver), which shares
the machine with the desks.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.checkout import describe, dirty
from tests.benchmarks.instances_run import InstancesRun, run_instances
from tests.benchmarks.relay_table import METRICS, Metric, table
from tests.benchmarks.sampled import sampled_hotspots

SHOWN = {
    "customer texts copied",
    "operator replies delivered",
    "customer → topic, msg/s",
    "operator → customer, msg/s",
    "burst latency p50, s",
    "burst latency p99, s",
    "reply latency p99, s",
    "desk CPU, burst + replies, s",
    "PostgreSQL CPU (its backends), s",
    "Redis server CPU, s",
    "fake + driver CPU, s",
    "wall time of both phases, s",
    "calls per message",
    "customers out of order",
    "ERROR lines in the desk's log",
    "desk peak RSS (VmHWM), MiB",
}


def _desk(index: int, what: str) -> Metric:
    def value(run: object) -> float | None:
        assert isinstance(run, InstancesRun)
        cpu = [b + r for b, r in zip(run.burst_cpu, run.replies_cpu, strict=True)]
        values = {"cpu": cpu, "webhooks": run.webhooks}[what]
        return values[index] if index < len(values) else None

    name = {
        "cpu": f"desk {index + 1} CPU, burst + replies, s",
        "webhooks": f"webhooks to desk {index + 1}",
    }[what]
    return Metric(name, value, "{:.1f}" if what == "cpu" else "{:.0f}", ratio=False)


def _metrics() -> list[Metric]:
    shown = [m for m in METRICS if m.name in SHOWN]
    return [
        *shown,
        Metric(
            "CPU, desks + PostgreSQL + Redis, per 1,000 messages, s",
            lambda r: (
                1000
                * (r.desk_cpu + (r.db_cpu or 0) + (r.redis_cpu or 0))
                / max(1, r.burst.copied + r.replies.copied)
            ),
        ),
        Metric(
            "machine busy: all the CPU above / (wall time x cores)",
            lambda r: (
                (r.desk_cpu + (r.db_cpu or 0) + (r.redis_cpu or 0) + r.fake_cpu)
                / max(0.001, r.wall * (os.cpu_count() or 1))
            ),
        ),
        _desk(0, "cpu"),
        _desk(1, "cpu"),
        _desk(0, "webhooks"),
        _desk(1, "webhooks"),
    ]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgres"], default="postgres")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--texts", type=int, default=5, help="texts per customer")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--py-spy", type=Path, help="sample both desks of one more two-desk run (FILE.1, FILE.2)"
    )
    return parser.parse_args()


async def main() -> None:
    args = _arguments()
    logging.basicConfig(level=logging.ERROR)
    print(f"tree: {describe('HEAD')}{' + uncommitted changes' if dirty() else ''}")
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    runs: list[InstancesRun] = []
    for round_ in range(1, args.rounds + 1):
        order = (1, 2) if round_ % 2 else (2, 1)
        for count in order:
            label = f"{'one' if count == 1 else 'two'} #{round_}"
            print(f"... {label}", flush=True)
            runs.append(await run_instances(label, count, args.customers, args.texts))
    one = [r for r in runs if r.instances == 1]
    two = [r for r in runs if r.instances == 2]
    print(
        f"\nRelaydesk instances benchmark, PostgreSQL + Redis, webhook behind the proxy: "
        f"{args.customers} customers x {args.texts} texts at once, then one operator reply "
        "each; one desk process against two\n"
    )
    print(table(two, one, runs, names=("two", "one"), metrics=_metrics()))
    if args.py_spy:
        path = args.py_spy.resolve()
        print(f"\n... two, sampled by py-spy -> {path}.1, {path}.2", flush=True)
        await run_instances("sampled", 2, args.customers, args.texts, sampled=path)
        for index in (1, 2):
            print(f"\ndesk {index}:")
            print(sampled_hotspots(path.with_suffix(f".{index}")))


if __name__ == "__main__":
    started = time.time()
    asyncio.run(main())
    print(f"\nWall time: {time.time() - started:.0f} s")
