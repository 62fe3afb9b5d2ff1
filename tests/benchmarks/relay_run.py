"""One run of the relay benchmark: `relaydesk run` of one source tree, as its own process,
against the fake Telegram in this process; a burst of customer texts, then one operator reply
per customer; what it cost the desk, the database server and the fake."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks.databases import REDIS_URL, create_database, drop_database, empty_redis
from tests.benchmarks.desk_process import DeskProcess
from tests.benchmarks.proc import ProcessGroupCpu, cpu_seconds, own_cpu_seconds, peak_rss_mib
from tests.benchmarks.sampled import Sampler
from tests.benchmarks.traced_fake import TracedFake
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, shown_texts

FIRST_CUSTOMER = 700_001
ARRIVAL_WITHIN = 300.0  # seconds for a phase's copies to arrive; past it the run is reported as is
QUIET = 0.5  # no call for this long: the desk is done with a phase (cards, reactions)
QUIET_WITHIN = 15.0

SETUP = """\
lines:
  - slug: support
    name: Support
    workspace: telegram:{chat}
    routing_policy: manual
    members: [{members}]
operators:
{operators}
"""


@dataclass
class Phase:
    """Messages people sent at once and when the desk's copies of them were made."""

    sent: int = 0
    copied: int = 0
    seconds: float = 0.0  # first sent -> last copied
    latencies: list[float] = field(default_factory=list)
    calls: int = 0  # Bot API calls but getUpdates
    group_calls: int = 0
    desk_cpu: float = 0.0

    def rate(self) -> float:
        return self.copied / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        if share == 0.5:
            return statistics.median(ordered)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass
class Run:
    label: str
    db: str
    burst: Phase = field(default_factory=Phase)
    replies: Phase = field(default_factory=Phase)
    start_seconds: float = 0.0
    serving_in: float = 0.0
    healthy_in: float = 0.0
    first_poll_in: float = 0.0
    start_cpu: float = 0.0
    db_cpu: float | None = None
    redis_cpu: float | None = None
    fake_cpu: float = 0.0
    wall: float = 0.0
    polls: int = 0
    out_of_order: int = 0
    rss_mib: float = 0.0
    log_errors: int = 0  # ERROR lines and tracebacks in the desk's log
    # (name, monotonic start and end, messages) of each phase, for a statement trace
    phases: list[tuple[str, float, float, int]] = field(default_factory=list)

    @property
    def desk_cpu(self) -> float:
        return self.burst.desk_cpu + self.replies.desk_cpu

    @property
    def calls(self) -> int:
        return self.burst.calls + self.replies.calls


def setup_file(folder: Path) -> Path:
    operators = "\n".join(
        f"  - name: {name}\n    telegram_user_id: {uid}\n    telegram_username: {name.lower()}"
        for uid, name in OPERATORS.items()
    )
    members = ", ".join(f'"telegram:{uid}"' for uid in OPERATORS)
    path = folder / "desk.yaml"
    path.write_text(SETUP.format(chat=OPERATOR_CHAT, members=members, operators=operators))
    return path


async def _sampling(samplers: list[ProcessGroupCpu]) -> None:
    while True:
        for sampler in samplers:
            sampler.sample()
        await asyncio.sleep(0.25)


async def _wait(condition: Callable[[], bool], within: float) -> None:
    deadline = time.monotonic() + within
    while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.005)


def _all_copied(fake: TracedFake, sent: list[tuple[int, int]]) -> bool:
    """Cheap while copies are missing (checked every 5 ms in the fake's process)."""
    return len(fake.copied_at) >= len(sent) and all(k in fake.copied_at for k in sent)


async def _quiet(fake: TracedFake) -> None:
    """Until the desk made no call for QUIET seconds (it finishes cards and reactions)."""
    await _wait(lambda: time.monotonic() - fake.last_call_at > QUIET, QUIET_WITHIN)


async def operators_answer(fake: TracedFake, users: range) -> Phase:
    """One operator reply in each customer's topic, all at once; the phase once every reply
    reached its customer."""
    topic_of = {
        text: m.get("message_thread_id")
        for m in fake.chat_messages(OPERATOR_CHAT)
        for text in shown_texts(m)
    }
    operators = list(OPERATORS)
    replies = []
    for index, user in enumerate(users):
        thread = topic_of.get(f"{user} text 0")
        if thread is not None:
            operator = operators[index % len(operators)]
            reply = fake.member_sends(OPERATOR_CHAT, operator, f"Reply to {user}", thread_id=thread)
            replies.append((OPERATOR_CHAT, reply["message_id"]))
    if not replies:
        return Phase()
    await _wait(lambda: _all_copied(fake, replies), ARRIVAL_WITHIN)
    await _quiet(fake)
    return _phase_of(fake, replies, lambda chat: chat > 0)


def _phase_of(fake: TracedFake, sent: list[tuple[int, int]], into: Callable[[int], bool]) -> Phase:
    copied = [k for k in sent if k in fake.copied_at and into(fake.copied_into[k])]
    first = min(fake.posted_at[k] for k in sent)
    last = max((fake.copied_at[k] for k in copied), default=first)
    latencies = [fake.copied_at[k] - fake.posted_at[k] for k in copied]
    return Phase(len(sent), len(copied), last - first, latencies)


def _out_of_order(fake: TracedFake, customers: range, texts: int) -> int:
    """Customers whose texts the operators do not see in one topic, in the order sent."""
    seen: dict[int, list[tuple[int | None, str]]] = {user: [] for user in customers}
    for message in fake.chat_messages(OPERATOR_CHAT):
        for text in shown_texts(message):  # a merged message shows several
            user, _, rest = text.partition(" text ")
            if rest and user.isdigit() and int(user) in seen:
                seen[int(user)].append((message.get("message_thread_id"), text))
    wrong = 0
    for user, shown in seen.items():
        threads = {thread for thread, _ in shown}
        expected = [f"{user} text {r}" for r in range(texts)]
        wrong += len(threads) != 1 or [text for _, text in shown] != expected
    return wrong


def _log_errors(desk: DeskProcess) -> int:
    text = desk.output(tail=10**9)
    return sum(" ERROR " in line or line.startswith("Traceback") for line in text.splitlines())


class Counters:
    """Desk CPU, calls and group calls, read at a phase's start and end."""

    def __init__(self, fake: TracedFake, pid: int) -> None:
        self.fake, self.pid = fake, pid
        self.mark()

    def mark(self) -> None:
        self.cpu = cpu_seconds(self.pid)
        self.calls = sum(1 for m, _ in self.fake.calls if m.lower() != "getupdates")
        self.group = self.fake.group_calls

    def close(self, phase: Phase) -> None:
        before = (self.cpu, self.calls, self.group)
        self.mark()
        phase.desk_cpu = self.cpu - before[0]
        phase.calls = self.calls - before[1]
        phase.group_calls = self.group - before[2]


async def run(
    label: str,
    tree: Path,
    db: str,
    customers: int,
    texts: int,
    profile: Path | None = None,
    sampled: Path | None = None,
    sampled_from: str = "burst",
    fill: Callable[[str], Awaitable[None]] | None = None,
    statements: Path | None = None,
) -> Run:
    """`fill(database_url)` stores what the database should hold before the desk starts;
    `statements`: the desk notes every statement it sends there (`statements.py`); `sampled`:
    py-spy's stacks of the desk from the burst on, or (`sampled_from="answers"`) the replies."""
    result = Run(label, db)
    folder = Path(tempfile.mkdtemp(prefix="relaydesk-bench-"))
    url, pg_name = await create_database(db, folder)
    redis_url = REDIS_URL if db == "postgres" else None
    fake = TracedFake(OPERATOR_CHAT)
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    for uid, name in OPERATORS.items():
        fake.add_user(uid, name, username=name.lower())
    desk = DeskProcess(
        fake, url, folder, tree, redis_url=redis_url, profile=profile, statements=statements
    )
    sampler: asyncio.Task[None] | None = None
    spy = Sampler(sampled) if sampled else None
    try:
        if redis_url:
            await empty_redis(redis_url)
        await desk.cli("import", str(setup_file(folder)))
        if fill is not None:
            await fill(url)
            os.sync()  # the desk's start is not timed against the writeback of the fill
        await desk.start()
        result.start_seconds = desk.started_in
        result.healthy_in, result.first_poll_in = desk.healthy_in, desk.first_poll_in
        result.serving_in = desk.serving_in
        result.start_cpu = cpu_seconds(desk.pid)
        users = range(FIRST_CUSTOMER, FIRST_CUSTOMER + customers)
        for user in users:
            fake.add_user(user, f"Customer {user}")

        samplers = [ProcessGroupCpu(pg_name)] if pg_name else []
        samplers += [ProcessGroupCpu("redis-server")] if redis_url else []
        for one in samplers:
            one.start()
        sampler = asyncio.create_task(_sampling(samplers))
        if spy is not None and sampled_from == "burst":
            await spy.start(desk.pid)
        counters = Counters(fake, desk.pid)
        fake_cpu0, wall0 = own_cpu_seconds(), time.monotonic()
        polls0 = len(fake.calls_to("getUpdates"))

        # Phase 1: every customer's texts at once, round by round.
        burst_from = time.monotonic()
        burst = [
            (user, fake.user_sends(user, f"{user} text {r}")["message_id"])
            for r in range(texts)
            for user in users
        ]
        await _wait(lambda: _all_copied(fake, burst), ARRIVAL_WITHIN)
        await _quiet(fake)
        result.burst = _phase_of(fake, burst, lambda chat: chat == OPERATOR_CHAT)
        counters.close(result.burst)

        # Phase 2: one operator reply in each customer's topic, all at once.
        if spy is not None and sampled_from == "answers":
            await spy.start(desk.pid)
            await asyncio.sleep(0.5)  # py-spy attaches meanwhile; the desk is quiet
        replies_from = time.monotonic()
        result.replies = await operators_answer(fake, users)
        counters.close(result.replies)
        result.phases = [
            ("burst", burst_from, replies_from, len(burst)),
            ("answers", replies_from, time.monotonic(), customers),
        ]

        result.wall = time.monotonic() - wall0
        if spy is not None:
            await spy.stop()
        result.fake_cpu = own_cpu_seconds() - fake_cpu0
        result.polls = len(fake.calls_to("getUpdates")) - polls0
        result.rss_mib = peak_rss_mib(desk.pid)
        cpu = [one.seconds() for one in samplers]
        result.db_cpu = cpu[0] if pg_name else None
        result.redis_cpu = cpu[-1] if redis_url else None
        result.out_of_order = _out_of_order(fake, users, texts)
        return result
    finally:
        if sampler is not None:
            sampler.cancel()
        if spy is not None:
            await spy.stop()
        await desk.stop()
        result.log_errors = _log_errors(desk)
        if result.log_errors:
            print(f"    {result.log_errors} ERROR lines in the desk's log: kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
        await fake.close()
        await drop_database(pg_name)
        if redis_url:
            await empty_redis(redis_url)
