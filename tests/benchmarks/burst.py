"""Benchmark: a burst of many customers at once against the fake Telegram.

    .venv/bin/python -m tests.benchmarks.burst                  # both scenarios, SQLite
    .venv/bin/python -m tests.benchmarks.burst --db postgres    # the same on PostgreSQL

Scenario "unlimited": the fake enforces no limits; how fast does the desk move messages?
Scenario "routed": the same burst with three free operators, so every new conversation is
assigned (least busy) as it arrives.
Scenario "telegram-limits": the fake enforces Telegram's limits (20 messages a minute into the
forum group, 1/s per private chat, 30/s per bot) and the clock runs 10x, so a minute of
Telegram time passes in six seconds; times are reported in Telegram (simulated) seconds.

Reported: throughput, customer-message latency (sent by the customer -> copied into the
topic), API calls per customer message, 429s served, CPU seconds and peak memory of the
process (desk and fake together: they share it).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.base.clock import Clock
from tests.benchmarks.databases import create_database, drop_database
from tests.benchmarks.traced_fake import merged_parts
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, Desk
from tests.fakes.staff import configure, hire
from tests.fakes.telegram import FakeTelegram

LIMITED_SPEED = 10.0  # fast enough to replay minutes; slow enough that loop latency stays small
SETUP_METHODS = {"getMe", "getUpdates", "deleteWebhook", "getChatMember", "setMyCommands"}


@dataclass
class Result:
    name: str
    customers: int
    messages: int
    seconds: float
    latencies: list[float]
    api_calls: int
    too_many: int
    cpu: float
    delivered: int

    def row(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        return (
            f"| {self.name} | {self.customers} x {self.messages // self.customers} | "
            f"{self.delivered}/{self.messages} | {self.seconds:.1f} s | "
            f"{self.delivered / self.seconds:.1f} msg/s | "
            f"{p50:.2f} s | {p95:.2f} s | {lat[-1]:.2f} s | "
            f"{self.api_calls / self.messages:.2f} | {self.too_many} | {self.cpu:.1f} s |"
        )


class TimedFake(FakeTelegram):
    """Remembers when each customer message was sent and when its copy reached the group."""

    def __init__(self, clock: Clock, **kwargs: Any) -> None:
        super().__init__(clock=clock.monotonic, **kwargs)
        self.desk_clock = clock  # `clock` is the fake's own (a callable)
        self.sent_at: dict[tuple[int, int], float] = {}
        self.copied_at: dict[tuple[int, int], float] = {}
        self._by_text: dict[str, tuple[int, int]] = {}

    def user_sends(self, user_id: int, text: str | None = None, **kwargs: Any) -> dict:
        message = super().user_sends(user_id, text, **kwargs)
        self.sent_at[(user_id, message["message_id"])] = self.desk_clock.monotonic()
        if text:
            self._by_text[text] = (user_id, message["message_id"])
        return message

    async def call(self, method: str, params: Any) -> Any:
        result = await super().call(method, params)
        if method == "copyMessage" and int(params.values.get("chat_id", 0)) == OPERATOR_CHAT:
            key = (int(params.values["from_chat_id"]), int(params.values["message_id"]))
            self.copied_at.setdefault(key, self.desk_clock.monotonic())
        if method == "sendMessage" and int(params.values.get("chat_id", 0)) == OPERATOR_CHAT:
            for key in merged_parts(params.values.get("text") or "", self._by_text):
                self.copied_at.setdefault(key, self.desk_clock.monotonic())
        return result


async def scenario(
    name: str, db: str, customers: int, per_customer: int, limits: bool, routed: bool = False
) -> Result:
    speed = LIMITED_SPEED if limits else 1.0
    clock = Clock(speed=speed)
    fake = TimedFake(clock, limits=limits)
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    folder = Path(tempfile.mkdtemp())
    url, pg_name = await create_database(db, folder)
    tuning: dict[str, Any] = {"album_wait_seconds": 1.0}
    if limits:
        tuning |= {
            "telegram_group_per_minute": 20,
            "telegram_chat_per_second": 1,
            "telegram_global_per_second": 30,
            # The clock runs 10x but handling the updates does not: a new customer's texts
            # are given the real half second to join their first one.
            "first_message_wait_seconds": 0.5 * speed,
        }
    desk = await Desk(fake, url, clock=clock, **tuning).start()
    if routed:  # every new conversation is assigned (least busy) on arrival
        await configure("default", routing_policy="least_busy")
        for user_id, operator in OPERATORS.items():
            await hire("default", operator, telegram=user_id, capacity=customers)
    try:
        users = range(700_001, 700_001 + customers)
        for user in users:
            fake.add_user(user, f"Customer {user}")
        cpu0 = _cpu()
        t0 = clock.monotonic()
        for round_ in range(per_customer):
            for user in users:
                fake.user_sends(user, f"{user} message {round_}")
        total = customers * per_customer
        give_up = t0 + (3600.0 if limits else 180.0)
        while len(fake.copied_at) < total and clock.monotonic() < give_up:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        elapsed = (max(fake.copied_at.values()) if fake.copied_at else clock.monotonic()) - t0
        cpu = _cpu() - cpu0
        latencies = [fake.copied_at[k] - t for k, t in fake.sent_at.items() if k in fake.copied_at]
        calls = sum(1 for method, _ in fake.calls if method not in SETUP_METHODS)
        return Result(
            name,
            customers,
            total,
            elapsed,
            latencies,
            calls,
            fake.stats.too_many_requests,
            cpu,
            len(fake.copied_at),
        )
    finally:
        await desk.stop()
        await fake.close()
        await drop_database(pg_name)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3, help="messages per customer")
    parser.add_argument("--limited-customers", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    results = [
        await scenario("unlimited", args.db, args.customers, args.messages, limits=False),
        await scenario(
            "unlimited, routed to 3 operators",
            args.db,
            args.customers,
            args.messages,
            limits=False,
            routed=True,
        ),
        await scenario(
            "telegram-limits (simulated s)", args.db, args.limited_customers, 2, limits=True
        ),
    ]
    print(f"\nRelaydesk burst benchmark, database: {args.db}\n")
    print(
        "| scenario | customers x msgs | delivered | time | throughput | p50 latency | p95 | max | "
        "API calls/msg | 429s | CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak memory (RSS) of the process: {peak:.0f} MiB")


if __name__ == "__main__":
    started = time.time()
    asyncio.run(main())
    print(f"Wall time: {time.time() - started:.0f} s")
