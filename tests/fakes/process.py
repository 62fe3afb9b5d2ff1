"""`relaydesk run` as its own process, wired to a fake Telegram by environment settings: what
a test needs to kill the desk for real (SIGKILL), which no in-process stop can imitate."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from tests.fakes.desk import OPERATOR_CHAT, free_port
from tests.fakes.telegram import FakeTelegram

START_WITHIN = 90.0  # a fresh PostgreSQL database is migrated first
STOP_WITHIN = 30.0


class RelaydeskProcess:
    """One `python -m relaydesk run` at a time; its output goes to a log file per start."""

    def __init__(self, fake: FakeTelegram, database_url: str, folder: Path) -> None:
        self.fake = fake
        self.folder = folder  # the working folder: no stray .env is read
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
        self.env |= {
            "RELAYDESK_DATABASE_URL": database_url,
            "RELAYDESK_TELEGRAM_TOKEN": fake.token,
            "RELAYDESK_TELEGRAM_API_URL": fake.base_url,
            "RELAYDESK_TELEGRAM_OPERATOR_CHAT_ID": str(OPERATOR_CHAT),
            "RELAYDESK_HTTP_PORT": str(self.port),
            "RELAYDESK_TELEGRAM_GROUP_PER_MINUTE": "100000",
            "RELAYDESK_TELEGRAM_CHAT_PER_SECOND": "1000",
            "RELAYDESK_TELEGRAM_GLOBAL_PER_SECOND": "100000",
            "RELAYDESK_LOG_LEVEL": "INFO",
        }
        self.logs: list[Path] = []
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def polls(self) -> bool:
        return self.env.get("RELAYDESK_TELEGRAM_MODE", "polling") == "polling"

    async def start(self) -> None:
        """Start and wait until it serves /healthz and polls the fake for updates (in
        webhook mode: until /healthz says Telegram is connected, its webhook set)."""
        polls = len(self.fake.calls_to("getUpdates"))
        await self.spawn()
        assert self._process is not None

        def polled() -> bool:
            return not self.polls or len(self.fake.calls_to("getUpdates")) > polls

        try:
            async with asyncio.timeout(START_WITHIN):
                while not (await self._healthy() and polled()):
                    assert self._process.returncode is None, f"it exited:\n{self.output()}"
                    await asyncio.sleep(0.1)
        except TimeoutError:
            raise AssertionError(f"not started in {START_WITHIN} s:\n{self.output()}") from None

    async def spawn(self) -> None:
        """`relaydesk run`, without waiting for anything."""
        assert self._process is None
        log = self.folder / f"relaydesk-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "relaydesk",
                "run",
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def _healthy(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{self.port}/healthz") as response,
            ):
                return response.status == 200 and (await response.json())["ok"]
        except aiohttp.ClientError:
            return False

    async def kill(self) -> None:
        """kill -9: no handler runs, nothing is flushed, connections just drop."""
        await self._end(signal.SIGKILL)

    async def stop(self) -> None:
        """SIGTERM, the polite stop; kill -9 if it does not end in time."""
        if self._process is None:
            return
        try:
            await self._end(signal.SIGTERM)
        except TimeoutError:
            await self._end(signal.SIGKILL)
            raise AssertionError(f"SIGTERM did not stop it:\n{self.output()}") from None

    async def _end(self, sig: signal.Signals) -> None:
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(sig)
        async with asyncio.timeout(STOP_WITHIN):
            await self._process.wait()
        self._process = None

    def output(self, tail: int = 6000) -> str:
        """Everything the starts so far wrote, the end of it."""
        text = "".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for log in self.logs)
        return text[-tail:]


async def spawn_command(
    database_url: str, *args: str, cwd: Path, stderr: int = asyncio.subprocess.PIPE
) -> asyncio.subprocess.Process:
    """`relaydesk ARGS` as an admin types it, against `database_url` and no other setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    env["RELAYDESK_DATABASE_URL"] = database_url
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "relaydesk",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )
