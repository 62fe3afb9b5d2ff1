"""`python -m tests.fuzz --cases 10000 --seed 17 [--db sqlite|postgres]`."""

from __future__ import annotations

import argparse
import asyncio

from tests.fuzz.run import run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    totals = asyncio.run(run(args.cases, args.seed, args.db))
    for name, value in totals.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
