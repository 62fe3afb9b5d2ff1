"""A running Relaydesk wired to a fake Telegram, as a test or benchmark drives it."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.base.clock import Clock
from bot.base.settings import Settings
from bot.core import Core
from relaydesk.app import CORE, build_app
from storage.models import Delivery, DeliveryStatus
from tests.fakes.guard import DeskReport, watch_desk
from tests.fakes.telegram import FakeTelegram

OPERATOR_CHAT = -1001000000001
OPERATORS = {1001: "Olga", 1002: "Petro", 1003: "Maria"}
# The desk told Telegram's real limits: 20 messages a minute into a group, 1 a second into
# a chat, 30 a second per bot.
TELEGRAM_LIMITS = {
    "telegram_group_per_minute": 20,
    "telegram_chat_per_second": 1,
    "telegram_global_per_second": 30,
}


# Starting migrates and connects; stopping waits for sends in flight (at most ten seconds)
# and closes the database: past this, something waits forever, and the test says so.
STOP_WITHIN = 30.0
FIRST_ANSWER_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Desk:
    """Relaydesk in this process; `restart()` is a graceful stop and a fresh start on the same
    data. (A real kill -9 needs its own process: tests/test_kill_9.py.)"""

    def __init__(
        self, fake: FakeTelegram, database_url: str, clock: Clock | None = None, **settings: Any
    ):
        self.fake = fake
        self.clock = clock or Clock()
        values: dict[str, Any] = {
            "database_url": database_url,
            "telegram_token": fake.token,
            "telegram_api_url": fake.base_url,
            "telegram_operator_chat_id": OPERATOR_CHAT,
            "http_port": free_port(),
            "telegram_group_per_minute": 100_000,
            "telegram_chat_per_second": 1000,
            "telegram_global_per_second": 100_000,
            "album_wait_seconds": 0.2,
            "first_message_wait_seconds": 0.05,
        }
        values.update(settings)
        self.settings = Settings(_env_file=None, **values)
        self._runner: web.AppRunner | None = None
        self.slack: Any = None
        self.report = DeskReport()
        secrets = (
            self.settings.telegram_token_value,
            *self.settings.telegram_helper_token_values,
            self.settings.webhook_secret_value,
            Settings.secret(self.settings.slack_bot_token),
            Settings.secret(self.settings.slack_app_token),
            Settings.secret(self.settings.slack_signing_secret),
            Settings.secret(self.settings.metrics_token),
        )
        watch_desk(self.report, {s for s in secrets if s})

    def expect_dead_deliveries(self) -> None:
        """The test makes deliveries die on purpose (the guard fails others that do)."""
        self.report.dead_expected = True

    @classmethod
    def with_slack(
        cls, fake: FakeTelegram, slack: Any, database_url: str, channel: str, **settings: Any
    ) -> Desk:
        """Customers on Telegram; the line in Slack channel `channel` (and, when
        `telegram_operator_chat_id` is passed, also a line in the forum)."""
        values: dict[str, Any] = {
            "telegram_operator_chat_id": None,
            "slack_bot_token": slack.bot_token,
            "slack_signing_secret": slack.signing_secret,
            "slack_api_url": slack.base_url,
            "slack_channel_id": channel,
        }
        desk = cls(fake, database_url, **(values | settings))
        desk.slack = slack
        return desk

    @property
    def core(self) -> Core:
        assert self._runner is not None
        return self._runner.app[CORE]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    async def start(self) -> Desk:
        self._runner = web.AppRunner(
            build_app(self.settings, clock=self.clock), handle_signals=False
        )
        async with asyncio.timeout(STOP_WITHIN):
            await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.settings.http_port).start()
        # The desk serves before its messengers answer; a story starts once they did (or
        # could not, within FIRST_ANSWER_SECONDS).
        await self.core.health.first_answers(within=FIRST_ANSWER_SECONDS)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._take_report()
            async with asyncio.timeout(STOP_WITHIN):
                await self._runner.cleanup()
            self._runner = None

    async def cancel_sends_and_stop(self) -> None:
        """Cancel every send in flight, then stop: the in-process approximation of a crash
        (the database connection is closed politely; tests/test_kill_9.py kills for real)."""
        assert self._runner is not None
        core = self.core
        for task in list(core.worker._tasks):
            task.cancel()
        await self.stop()

    async def _take_report(self) -> None:
        """What the guard checks after the test, read while the database is still open."""
        if CORE not in self._runner.app:  # type: ignore[union-attr]
            return
        dead = await Delivery.filter(status=DeliveryStatus.DEAD).values(
            "id", "target", "op", "last_error"
        )
        self.report.dead = dead
        errors = await Delivery.filter(last_error__not_isnull=True).values_list(
            "last_error", flat=True
        )
        self.report.last_errors += [str(e) for e in errors]

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Wait until every update was read and every due delivery was sent or given up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet = 0
        while quiet < 3:
            if loop.time() > deadline:
                pending = await Delivery.filter(status=DeliveryStatus.PENDING).values(
                    "id", "target", "op", "not_before", "attempts", "last_error"
                )
                raise AssertionError(
                    f"not settled: updates={len(self.fake.pending_updates())} deliveries={pending}"
                )
            busy = bool(self.fake.pending_updates()) or await self._due()
            quiet = 0 if busy else quiet + 1
            await asyncio.sleep(0.03)

    async def _due(self) -> bool:
        """Pending work due within ten real seconds (back-offs included; long holds not)."""
        horizon = self.clock.now() + timedelta(seconds=10 * self.clock.speed)
        return await Delivery.filter(
            status=DeliveryStatus.PENDING, not_before__lte=horizon
        ).exists()

    # -- what people see ---------------------------------------------------------------------

    def topic_of(self, name_part: str) -> dict[str, Any]:
        live = [
            t
            for t in self.fake.topics(OPERATOR_CHAT)
            if name_part in t["name"] and not t["is_deleted"]
        ]
        assert len(live) == 1, (
            f"expected one live topic with {name_part!r}: {self.fake.topics(OPERATOR_CHAT)}"
        )
        return live[0]

    def topic_messages(self, name_part: str) -> list[dict[str, Any]]:
        return self.fake.chat_messages(OPERATOR_CHAT, self.topic_of(name_part)["message_thread_id"])

    def topic_texts(self, name_part: str) -> list[str]:
        """What operators read in the topic, text by text: the customer's texts a merged
        message (or the card that opened the topic) shows come apart, without card and times."""
        return [t for m in self.topic_messages(name_part) for t in shown_texts(m)]

    def customer_sees(self, user_id: int) -> list[dict[str, Any]]:
        return self.fake.bot_messages(user_id)


MERGED_PART = re.compile(r"^_?\d\d:\d\d_?  (.*)$", re.S)  # Telegram's, and Slack's


def shown_texts(message: dict[str, Any]) -> list[str]:
    """The texts one message of a topic shows: none for a bare card, the parts of a merged
    message (each "HH:MM  text"; in Slack "_HH:MM_  text"), or its own text (or caption)."""
    text = message.get("text") or message.get("caption")
    if text is None:
        return []
    blocks = text.split("\n\n")
    if "reply_markup" in message or text.startswith("Conversation #"):
        blocks = blocks[1:]  # the card
    parts = [MERGED_PART.match(b) for b in blocks]
    if blocks and all(parts):
        return [p.group(1) for p in parts if p]
    return ["\n\n".join(blocks)] if blocks else []
