"""The HTTP side: an aiohttp.web app speaking the Bot API wire protocol, fault
injection and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from ..common import AppServer
from ..guard import watch_fake
from .api import METHODS
from .bots import ACTING
from .chats import Json
from .errors import DEFAULT_DESCRIPTIONS, ApiError
from .limits import RateLimiter
from .params import Params, read_request
from .people import People
from .webhooks import WebhookDelivery

if TYPE_CHECKING:
    from aiogram import Bot

logger = logging.getLogger(__name__)

# A request that reached the fake this soon (real seconds) after a 429 was answered may have
# been sent before the client read that answer: it is not counted as ignoring retry_after.
IN_FLIGHT = 0.2

MAX_UPLOAD = 50 * 1024 * 1024  # the Bot API's limit for files bots send


@dataclass
class Fault:
    method: str  # lower-case name or "*"
    error: ApiError
    remaining: int
    apply: bool  # perform the call, then answer the error anyway
    network: bool = False  # drop the connection instead of answering


class DroppedConnection(Exception):
    """A fault that closes the client's connection without an answer."""


class FakeTelegram(WebhookDelivery, People, AppServer):
    """A fake Telegram Bot API server for the real aiogram ``Bot``.

    ``await fake.start()`` returns the base URL for
    ``Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))``
    (or use ``fake.make_bot()``).
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_id: int = 123456,
        bot_username: str = "relaydesk_bot",
        bot_name: str = "Relaydesk",
        limits: bool = False,
        group_per_minute: int = 20,
        group_window: float = 60.0,
        private_per_second: float = 1.0,
        private_burst: int = 3,
        global_per_second: int = 30,
        global_window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        service_updates: bool = False,
        topic_reply_quirk: bool = True,
        webhook_retry_delay: float = 0.2,
        webhook_timeout: float = 5.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        limiter = RateLimiter(
            clock,
            group_per_minute=group_per_minute,
            group_window=group_window,
            private_per_second=private_per_second,
            private_burst=private_burst,
            global_per_second=global_per_second,
            global_window=global_window,
        )
        super().__init__(
            token,
            bot_id=bot_id,
            bot_username=bot_username,
            bot_name=bot_name,
            limits=limits,
            service_updates=service_updates,
            topic_reply_quirk=topic_reply_quirk,
            limiter=limiter,
            seed=seed,
        )
        self.host = host
        self.port = port
        self.base_url = ""
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.webhook_deliveries: list[Json] = []  # updates the webhook accepted, in order
        self.crashes: list[Exception] = []  # exceptions the fake itself raised
        # Errors the fake answered that no test asked for: its own crashes and requests it
        # could not parse. The test guard (tests/fakes/guard.py) fails a test that left any.
        self.server_errors: list[str] = []
        self.clock = clock
        # (real time, fake time, chat, method) of every call; (real, fake, chat, retry_after)
        # of every 429 answered: what `retry_after_violations` compares.
        self.requests: list[tuple[float, float, str, str]] = []
        self.rate_limited: list[tuple[float, float, str, int]] = []
        # Seconds every call but getUpdates waits after it acted, before it answers: a slow
        # network, so that a client killed meanwhile never learns that the call went through.
        self.answer_delay = 0.0
        self.unanswered = 0  # calls that acted and wait for `answer_delay` right now
        self._faults: list[Fault] = []
        self._posting: dict[object, asyncio.Task[None]] = {}  # webhook posts, by queue
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # ----- lifecycle --------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        await self._serve(app)
        watch_fake(self)
        self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        return self.base_url

    async def close(self) -> None:
        self.closing = True
        self.changed.fire()  # releases long polls
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        await self._stop_webhooks()
        await self._shutdown()

    def make_bot(self, token: str | None = None, **kwargs: Any) -> Bot:
        """A real aiogram Bot wired to this server (close its session when done); the main
        bot unless `token` names a helper added with `add_bot`."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        api = TelegramAPIServer.from_base(self.base_url)
        return Bot(token or self.token, session=AiohttpSession(api=api), **kwargs)

    # ----- faults -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        apply: bool = False,
        network: bool = False,
    ) -> None:
        """The next `times` calls of `method` ("*" = any method; "download" = the file
        URL, which "*" leaves alone) answer this error. A 429 gets ``retry_after``
        (default 1); ``apply=True`` performs the call first, like a timeout after
        Telegram already acted; ``network=True`` closes the connection with no answer."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
        error = ApiError(status, description, retry_after=retry_after)
        self._faults.append(Fault(method.lower(), error, times, apply, network))

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            wildcard = fault.method == "*" and method != "download"
            if wildcard or fault.method == method.lower():
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ----- what the test guard checks ---------------------------------------------------

    def secrets(self) -> set[str]:
        return set(self.bots)

    def retry_after_violations(self) -> list[str]:
        """Calls into a chat that came before a 429's `retry_after` for that chat was over
        (in the fake's clock), leaving out those already in flight when it was answered."""
        found = []
        for real, at, chat, retry_after in self.rate_limited:
            if not chat:
                continue
            for when, then, other_chat, method in self.requests:
                early = at < then < at + retry_after
                if other_chat == chat and when > real + IN_FLIGHT and early:
                    found.append(
                        f"{method} to chat {chat} {then - at:.2f} s after a 429 "
                        f"with retry_after={retry_after}"
                    )
        return found

    # ----- calls ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Decoded params of every call of `method` (case-insensitive), in order."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    async def call(self, method: str, params: Params) -> Any:
        """Run one Bot API call; raises ApiError for error answers."""
        self.calls.append((method, {**params.files, **copy.deepcopy(params.values)}))
        chat = str(params.values.get("chat_id", ""))
        if chat and not self.acting.main:  # each bot has its own limits, so its own 429s
            chat = f"{chat} (bot {self.acting.id})"
        if method.lower() == "getupdates" and not self.acting.main:
            self.server_errors.append(f"helper bot {self.acting.id} polled getUpdates")
        self.requests.append((time.monotonic(), self.clock(), chat, method))
        entry = METHODS.get(method)
        self.stats.calls[entry[0] if entry else method] += 1
        try:
            fault = self._take_fault(method)
            if fault is not None and not fault.apply:
                raise DroppedConnection() if fault.network else fault.error
            if entry is None:
                raise ApiError(404, "Not Found")
            result = entry[1](self, params)
            if inspect.isawaitable(result):
                result = await result
            if fault is not None:
                raise DroppedConnection() if fault.network else fault.error
            if self.answer_delay and method.lower() != "getupdates":
                self.unanswered += 1
                self.changed.fire()
                try:
                    await asyncio.sleep(self.answer_delay)
                finally:
                    self.unanswered -= 1
                    self.changed.fire()
            return result
        except ApiError as error:
            if error.code == 429:
                self.stats.too_many_requests += 1
                retry_after = error.retry_after or 0
                self.rate_limited.append((time.monotonic(), self.clock(), chat, retry_after))
            raise

    async def _handle_api(self, request: web.Request) -> web.Response:
        bot = self.bots.get(request.match_info["token"])
        if bot is None:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        ACTING.set(bot)  # this request's own context: the bot every rule below applies to
        method = request.match_info["method"]
        try:
            values, files = await read_request(request)
            params = Params(values, files)
        except Exception as error:
            self.server_errors.append(f"could not parse a {method} request: {error!r}")
            if not isinstance(error, ApiError):
                self.crashes.append(error)
                error = ApiError(500, f"Internal Server Error: fake crashed: {error!r}")
            return web.json_response(error.payload(), status=error.code)
        try:
            result = await self.call(method, params)
        except DroppedConnection:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        except ApiError as error:
            return web.json_response(error.payload(), status=error.code)
        except Exception as crash:  # a bug in the fake: answer loudly, keep it for tests
            self.crashes.append(crash)
            self.server_errors.append(f"500: fake Telegram crashed on {method}: {crash!r}")
            logger.exception("fake Telegram crashed on %s", method)
            error = ApiError(500, f"Internal Server Error: fake crashed: {crash!r}")
            return web.json_response(error.payload(), status=500)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self.bots:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        fault = self._take_fault("download")
        if fault is not None:
            return web.json_response(fault.error.payload(), status=fault.error.code)
        stored = self.files.by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")
