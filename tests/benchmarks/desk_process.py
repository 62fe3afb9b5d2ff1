"""`python -m relaydesk run` from a given source tree, as its own process, timed from spawn to
serving; optionally under cProfile. The environment is tests/fakes/process.py's."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import aiohttp

from tests.benchmarks.statements import TRACE_HOOK
from tests.fakes.process import START_WITHIN, RelaydeskProcess
from tests.fakes.telegram import FakeTelegram


class DeskProcess(RelaydeskProcess):
    """The desk of source tree `tree` (on PYTHONPATH; the working folder is `folder`, so no
    stray .env is read). `serving_in` (the admin panel's sign-in page answers), `healthy_in`
    (/healthz says ok), `first_poll_in` and `started_in` (both) are seconds from spawn."""

    def __init__(
        self,
        fake: FakeTelegram,
        database_url: str,
        folder: Path,
        tree: Path,
        *,
        redis_url: str | None = None,
        profile: Path | None = None,
        statements: Path | None = None,
    ) -> None:
        super().__init__(fake, database_url, folder)
        self.env["PYTHONPATH"] = str(tree)
        if statements is not None:  # tests/benchmarks/statements.py
            self.env["PYTHONPATH"] = os.pathsep.join([str(TRACE_HOOK), str(tree)])
            self.env["RELAYDESK_BENCH_STATEMENTS"] = str(statements)
        if redis_url:
            self.env["RELAYDESK_REDIS_URL"] = redis_url
        profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
        self.argv = [sys.executable, *profiler, "-m", "relaydesk", "run"]
        self.started_in = 0.0
        self.serving_in = 0.0
        self.first_poll_in = 0.0
        self.healthy_in = 0.0

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def cli(self, *args: str) -> str:
        """A `relaydesk` sub-command of the same tree and settings; its output."""
        done = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "relaydesk",
            *args,
            cwd=self.folder,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await done.communicate()
        text = out.decode(errors="replace")
        if done.returncode != 0:
            raise RuntimeError(f"relaydesk {' '.join(args)} failed:\n{text}")
        return text

    async def start(self) -> None:
        """Spawn; return once the panel answers, /healthz says ok and the fake has served a
        getUpdates (in webhook mode: once the first two are so)."""
        assert self._process is None
        log = self.folder / f"relaydesk-{len(self.logs) + 1}.log"
        self.logs.append(log)
        polls_before = len(self.fake.requests)
        spawned = time.monotonic()
        with log.open("wb") as out:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:
            async with asyncio.timeout(START_WITHIN), aiohttp.ClientSession() as session:
                while not (
                    self.serving_in and self.healthy_in and (self.first_poll_in or not self.polls)
                ):
                    assert self._process.returncode is None, f"it exited:\n{self.output()}"
                    if not self.serving_in and await self._serves(session):
                        self.serving_in = time.monotonic() - spawned
                    if not self.healthy_in and await self._ok(session):
                        self.healthy_in = time.monotonic() - spawned
                    polls = [
                        at
                        for at, _, _, method in self.fake.requests[polls_before:]
                        if method.lower() == "getupdates"
                    ]
                    if polls and not self.first_poll_in:
                        self.first_poll_in = polls[0] - spawned
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError(f"not started in {START_WITHIN} s:\n{self.output()}") from None
        self.started_in = max(self.healthy_in, self.first_poll_in)

    async def _serves(self, session: aiohttp.ClientSession) -> bool:
        try:
            async with session.get(f"http://127.0.0.1:{self.port}/admin/login") as response:
                return response.status == 200
        except aiohttp.ClientError:
            return False

    async def _ok(self, session: aiohttp.ClientSession) -> bool:
        try:
            async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                return response.status == 200 and (await response.json())["ok"]
        except aiohttp.ClientError:
            return False
