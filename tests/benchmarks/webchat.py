"""Benchmark: 1,000 open web chat widgets on `relaydesk run` as its own process.

    .venv/bin/python -m tests.benchmarks.webchat                 # SQLite
    .venv/bin/python -m tests.benchmarks.webchat --db postgres   # PostgreSQL + Redis
    .venv/bin/python -m tests.benchmarks.webchat --windows 1000 --talkers 200 --texts 5

The desk runs as in tests/benchmarks/relay.py (a fresh database set up with `relaydesk
import`, the fake Telegram in this process) with the web chat's rate limits raised (every
widget here comes from 127.0.0.1). Then:

1. windows: WINDOWS widgets open a WebSocket each (Origin an allowed site, hello, welcome);
   the desk's resident memory (VmRSS) before and after, per window;
2. visitors: TALKERS of them send TEXTS texts each, all at once; msg/s until every text was
   taken in (its `sent` answer) and until every text is in its visitor's topic;
3. answers: an operator answers once in each talker's topic, all at once; msg/s until every
   answer reached its visitor's open window.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from tests.benchmarks.checkout import REPO
from tests.benchmarks.databases import REDIS_URL, empty_redis
from tests.benchmarks.desk_process import DeskProcess
from tests.benchmarks.proc import cpu_seconds, peak_rss_mib
from tests.benchmarks.relay_run import setup_file
from tests.fakes.databases import create_database, drop_database
from tests.fakes.desk import OPERATOR_CHAT, OPERATORS, shown_texts
from tests.fakes.telegram import FakeTelegram

ORIGIN = "https://bench.example"
OLGA = next(iter(OPERATORS))
WITHIN = 300.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Widget:
    def __init__(self, session: aiohttp.ClientSession, url: str, key: str) -> None:
        self._session, self._url, self._key = session, url, key
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.token = ""
        self.sent: dict[str, asyncio.Event] = {}
        self.answers = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return f"Web visitor {self.token.split('.')[2][:6]}"

    async def open(self) -> None:
        self.ws = await self._session.ws_connect(
            f"{self._url}/webchat/ws?key={self._key}", headers={"Origin": ORIGIN}
        )
        await self.ws.send_json({"type": "hello", "token": None, "after": 0})
        welcome = await self.ws.receive_json()
        self.token = welcome["token"]
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            frame = message.json()
            if frame["type"] == "sent":
                self.sent[frame["id"]].set()
            elif frame["type"] == "item" and frame["item"]["kind"] == "out":
                self.answers.set()

    async def say(self, text: str) -> None:
        assert self.ws is not None
        frame_id = uuid.uuid4().hex
        self.sent[frame_id] = asyncio.Event()
        await self.ws.send_json({"type": "message", "id": frame_id, "text": text})

    async def all_sent(self) -> None:
        for event in self.sent.values():
            await event.wait()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader


def _copied(fake: FakeTelegram) -> int:
    return sum(
        len(shown_texts(m))
        for topic in fake.topics(OPERATOR_CHAT)
        for m in fake.chat_messages(OPERATOR_CHAT, topic["message_thread_id"])
    )


async def _until(condition, within: float = WITHIN) -> None:  # noqa: ANN001
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark's condition was not met in time")
        await asyncio.sleep(0.05)


async def bench(db: str, windows: int, talkers: int, texts: int) -> dict[str, float]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    folder = Path(tempfile.mkdtemp(prefix="relaydesk-webchat-bench-"))
    url, pg_name = await create_database(db, folder)
    redis_url = REDIS_URL if db == "postgres" else None
    fake = FakeTelegram()
    await fake.start()
    fake.add_forum(OPERATOR_CHAT, "Support", members=dict.fromkeys(OPERATORS, "member"))
    for uid, name in OPERATORS.items():
        fake.add_user(uid, name, username=name.lower())
    desk = DeskProcess(fake, url, folder, REPO, redis_url=redis_url)
    desk.env |= {
        "RELAYDESK_WEBCHAT_VISITOR_PER_MINUTE": "100000",
        "RELAYDESK_WEBCHAT_ADDRESS_PER_MINUTE": "1000000",
        "RELAYDESK_LOG_LEVEL": "WARNING",
    }
    figures: dict[str, float] = {}
    widgets: list[Widget] = []
    try:
        if redis_url:
            await empty_redis(redis_url)
        await desk.cli("import", str(setup_file(folder)))
        out = await desk.cli("webchat", "add", "bench", "support", "--origin", ORIGIN)
        key = out.split('data-key="')[1].split('"')[0]
        await desk.start()
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            figures["rss_before_mib"] = rss_mib(desk.pid)
            started = time.monotonic()
            widgets = [Widget(session, desk.url, key) for _ in range(windows)]
            for start in range(0, windows, 100):  # a site's visitors arrive, not all at once
                await asyncio.gather(*(w.open() for w in widgets[start : start + 100]))
            figures["open_seconds"] = time.monotonic() - started
            await asyncio.sleep(1.0)
            figures["rss_open_mib"] = rss_mib(desk.pid)
            figures["kib_per_window"] = (
                (figures["rss_open_mib"] - figures["rss_before_mib"]) * 1024 / windows
            )

            talking = widgets[:talkers]
            cpu = cpu_seconds(desk.pid)
            started = time.monotonic()
            for n in range(texts):
                await asyncio.gather(*(w.say(f"text {n}") for w in talking))
            await asyncio.gather(*(w.all_sent() for w in talking))
            taken = time.monotonic() - started
            await _until(lambda: _copied(fake) >= talkers * texts)
            copied = time.monotonic() - started
            figures["visitor_texts"] = talkers * texts
            figures["taken_in_per_s"] = talkers * texts / taken
            figures["into_topics_per_s"] = talkers * texts / copied

            threads = {t["name"]: t["message_thread_id"] for t in fake.topics(OPERATOR_CHAT)}
            started = time.monotonic()
            for widget in talking:
                thread = next(v for k, v in threads.items() if widget.name in k)
                fake.member_sends(OPERATOR_CHAT, OLGA, "An answer", thread_id=thread)
            await asyncio.wait_for(asyncio.gather(*(w.answers.wait() for w in talking)), WITHIN)
            figures["answers_per_s"] = talkers / (time.monotonic() - started)
            figures["desk_cpu_s"] = cpu_seconds(desk.pid) - cpu
            figures["rss_peak_mib"] = peak_rss_mib(desk.pid)
            await asyncio.gather(*(w.close() for w in widgets))
    finally:
        await desk.stop()
        await fake.close()
        await drop_database(pg_name)
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--windows", type=int, default=1000)
    parser.add_argument("--talkers", type=int, default=200)
    parser.add_argument("--texts", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(bench(args.db, args.windows, args.talkers, args.texts))
    print(f"web chat, {args.db}: {args.windows} open windows, {args.talkers} talking")
    for name, value in figures.items():
        print(f"  {name:<20} {value:10.1f}")


if __name__ == "__main__":
    main()
