"""One run of the instances benchmark: N `relaydesk run` processes on one PostgreSQL database
and one Redis, in webhook mode behind relaydesk/proxy.py, which the fake Telegram's webhook
calls (up to 40 updates at once, each chat's in order, as Telegram does); the relay
benchmark's burst and replies (tests/benchmarks/relay_run.py) through them."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bridges.telegram import WEBHOOK_PATH
from relaydesk.proxy import RoundRobin, serve
from tests.benchmarks.checkout import REPO
from tests.benchmarks.databases import REDIS_URL, create_database, drop_database, empty_redis
from tests.benchmarks.desk_process import DeskProcess
from tests.benchmarks.proc import ProcessGroupCpu, cpu_seconds, own_cpu_seconds, peak_rss_mib
from tests.benchmarks.relay_run import (
    ARRIVAL_WITHIN,
    FIRST_CUSTOMER,
    Run,
    _all_copied,
    _log_errors,
    _out_of_order,
    _phase_of,
    _quiet,
    _sampling,
    _wait,
    operators_answer,
    setup_file,
)
from tests.benchmarks.sampled import Sampler
from tests.benchmarks.traced_fake import TracedFake
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, free_port


@dataclass
class InstancesRun(Run):
    instances: int = 1
    # Per desk: CPU seconds of the burst and of the replies, webhook calls it answered.
    burst_cpu: list[float] = field(default_factory=list)
    replies_cpu: list[float] = field(default_factory=list)
    webhooks: list[int] = field(default_factory=list)


def _redis_marker(url: str) -> str:
    """The process title of the Redis server at `url` ("redis-server *:6383") ends so."""
    return f":{urlsplit(url).port or 6379}"


def _cpu(desks: list[DeskProcess]) -> list[float]:
    return [cpu_seconds(desk.pid) for desk in desks]


async def run_instances(
    label: str,
    instances: int,
    customers: int,
    texts: int,
    sampled: Path | None = None,
) -> InstancesRun:
    """`sampled`: py-spy samples every desk during the burst and the replies (FILE.1, …)."""
    result = InstancesRun(label, "postgres", instances=instances)
    folder = Path(tempfile.mkdtemp(prefix="relaydesk-instances-"))
    url, pg_name = await create_database("postgres", folder)
    fake = TracedFake(OPERATOR_CHAT)
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    for uid, name in OPERATORS.items():
        fake.add_user(uid, name, username=name.lower())
    hook_port = free_port()
    desks: list[DeskProcess] = []
    for index in range(instances):
        (folder / f"desk{index + 1}").mkdir()
        desk = DeskProcess(fake, url, folder / f"desk{index + 1}", REPO, redis_url=REDIS_URL)
        desk.env |= {
            "RELAYDESK_TELEGRAM_MODE": "webhook",
            "RELAYDESK_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}{WEBHOOK_PATH}",
            "RELAYDESK_AUTO_MIGRATE": "true" if index == 0 else "false",
        }
        desks.append(desk)
    balancer = RoundRobin([desk.url for desk in desks])
    front = await serve(balancer, "127.0.0.1", hook_port)
    spies = [Sampler(sampled.with_suffix(f".{i + 1}")) for i in range(instances)] if sampled else []
    sampler: asyncio.Task[None] | None = None
    try:
        await empty_redis(REDIS_URL)
        await desks[0].cli("import", str(setup_file(folder)))
        for desk in desks:
            await desk.start()
        result.start_seconds = max(desk.started_in for desk in desks)
        result.serving_in = max(desk.serving_in for desk in desks)
        result.healthy_in = max(desk.healthy_in for desk in desks)
        result.start_cpu = sum(_cpu(desks))
        users = range(FIRST_CUSTOMER, FIRST_CUSTOMER + customers)
        for user in users:
            fake.add_user(user, f"Customer {user}")

        samplers = [ProcessGroupCpu(pg_name), ProcessGroupCpu(_redis_marker(REDIS_URL))]
        for one in samplers:
            one.start()
        sampler = asyncio.create_task(_sampling(samplers))
        for spy, desk in zip(spies, desks, strict=False):
            await spy.start(desk.pid)
        cpu0 = _cpu(desks)
        calls0, group0 = len(fake.calls), fake.group_calls
        fake_cpu0, wall0 = own_cpu_seconds(), time.monotonic()

        # Phase 1: every customer's texts at once, round by round.
        burst = [
            (user, fake.user_sends(user, f"{user} text {r}")["message_id"])
            for r in range(texts)
            for user in users
        ]
        await _wait(lambda: _all_copied(fake, burst), ARRIVAL_WITHIN)
        await _quiet(fake)
        result.burst = _phase_of(fake, burst, lambda chat: chat == OPERATOR_CHAT)
        cpu1 = _cpu(desks)
        result.burst_cpu = [b - a for a, b in zip(cpu0, cpu1, strict=True)]
        result.burst.desk_cpu = sum(result.burst_cpu)
        result.burst.calls, calls1 = len(fake.calls) - calls0, len(fake.calls)
        result.burst.group_calls, group1 = fake.group_calls - group0, fake.group_calls

        # Phase 2: one operator reply in each customer's topic, all at once.
        result.replies = await operators_answer(fake, users)
        cpu2 = _cpu(desks)
        result.replies_cpu = [b - a for a, b in zip(cpu1, cpu2, strict=True)]
        result.replies.desk_cpu = sum(result.replies_cpu)
        result.replies.calls = len(fake.calls) - calls1
        result.replies.group_calls = fake.group_calls - group1

        result.wall = time.monotonic() - wall0
        for spy in spies:
            await spy.stop()
        result.fake_cpu = own_cpu_seconds() - fake_cpu0
        result.rss_mib = max(peak_rss_mib(desk.pid) for desk in desks)
        result.db_cpu, result.redis_cpu = (one.seconds() for one in samplers)
        result.out_of_order = _out_of_order(fake, users, texts)
        result.webhooks = list(balancer.served.values())
        return result
    finally:
        if sampler is not None:
            sampler.cancel()
        for spy in spies:
            await spy.stop()
        for desk in desks:
            await desk.stop()
        result.log_errors = sum(_log_errors(desk) for desk in desks)
        if result.log_errors:
            print(f"    {result.log_errors} ERROR lines in the desks' logs: kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
        await front.cleanup()
        await fake.close()
        await drop_database(pg_name)
        await empty_redis(REDIS_URL)
