"""The HTTP side: an aiohttp.web app speaking the Slack Web API, file uploads and
downloads, response URLs and Socket Mode; fault injection; signed deliveries of
events, interactions and commands to the app under test (delivery.py, with
Socket Mode glue in socket_controls.py)."""

from __future__ import annotations

import copy
import inspect
import logging
import struct
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from ..common import AppServer
from ..guard import watch_fake
from .api import METHODS
from .delivery import Delivery
from .errors import SlackError
from .limits import RateLimiter
from .params import read_request
from .socket_controls import SocketControls
from .socket_mode import SocketHub
from .world import Json

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024 * 1024
RESPONSE_URL_USES = 5
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"
# Every scope the fake checks; FakeSlack(scopes=...) narrows it.
ALL_SCOPES = frozenset(
    {
        "chat:write",
        "channels:read",
        "groups:read",
        "im:read",
        "mpim:read",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
        "channels:join",
        "im:write",
        "mpim:write",
        "users:read",
        "reactions:write",
        "files:read",
        "files:write",
    }
)


@dataclass
class Fault:
    method: str  # a Web API method, "upload" (the upload URL) or "*"
    error: SlackError
    remaining: int
    apply: bool  # perform the call, then answer the error anyway


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x4a\x15\x4c")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


AVATAR = tiny_png()


class FakeSlack(SocketControls, AppServer):
    """A fake Slack for the real ``slack_sdk`` clients and ``slack_bolt`` apps.

    ``await fake.start()`` returns the base URL; point
    ``AsyncWebClient(token=fake.bot_token, base_url=f"{url}/api/")`` at it.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        signing_secret: str = "test-signing-secret",
        team_id: str = "T0TEST",
        team_name: str = "Relaydesk Test",
        team_domain: str = "relaydesk-test",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "relaydesk",
        app_id: str = "A0APP",
        verification_token: str = "test-verification-token",
        scopes: Iterable[str] | None = None,
        limits: bool = False,
        post_per_second: float = 1.0,
        post_burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        delivery_timeout: float = 3.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=signing_secret,
            team_id=team_id,
            team_name=team_name,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_name=bot_name,
            app_id=app_id,
            verification_token=verification_token,
            scopes=frozenset(scopes) if scopes is not None else None,
            limits=limits,
            limiter=RateLimiter(clock, per_second=post_per_second, burst=post_burst),
            seed=seed,
        )
        self.host = host
        self.port = port
        self.delivery_timeout = delivery_timeout
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.deliveries: list[Delivery] = []
        self.crashes: list[Exception] = []  # exceptions the fake itself raised
        # Errors the fake answered that no test asked for: its own crashes and requests it
        # could not parse. The test guard (tests/fakes/guard.py) fails a test that left any.
        self.server_errors: list[str] = []
        self.socket = SocketHub(self)
        self._faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    # ----- lifecycle ------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{ticket}", self._handle_upload)
        app.router.add_get("/files-pri/{team_file}/{path:.+}", self._handle_download)
        app.router.add_get("/avatars/{name}", self._handle_avatar)
        app.router.add_get("/socket", self.socket.handle)
        app.router.add_post("/actions/{rest:.+}", self._handle_response_url)
        app.router.add_post("/commands/{rest:.+}", self._handle_response_url)
        url = await self._serve(app)
        watch_fake(self)
        return url

    async def close(self) -> None:
        await self.socket.close()
        await self._shutdown()

    @property
    def api_url(self) -> str:
        """``base_url`` for ``AsyncWebClient`` (it needs the trailing slash)."""
        return f"{self.base_url}/api/"

    # ----- faults ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        apply: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" = any, "upload" = the upload URL)
        answer ``{"ok": false, "error": error}`` with HTTP ``status``. ``error`` defaults
        to "ratelimited" for 429 (with ``Retry-After``, default 1) and "internal_error"
        otherwise; ``apply=True`` performs the call first, like a timeout after Slack
        already acted."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if error is None:
            error = "ratelimited" if status == 429 else "internal_error"
        failure = SlackError(error, status=status, retry_after=retry_after)
        self._faults.append(Fault(method, failure, times, apply))

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method in {"*", method} and not (fault.method == "*" and method == "upload"):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ----- what the test guard checks -------------------------------------------------

    def secrets(self) -> set[str]:
        return {self.bot_token, self.app_token, self.signing_secret}

    def retry_after_violations(self) -> list[str]:
        """Slack's 429s are retried by slack_sdk's own handler, not paced by the desk."""
        return []

    # ----- the Web API ----------------------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Decoded params of every call of ``method``, in order."""
        return [params for name, params in self.calls if name == method]

    def _authorize(self, token: str | None, app_token: bool) -> bool:
        """True for the bot token; raises the error Slack answers for a bad token."""
        if not token:
            raise SlackError("not_authed")
        if token == self.app_token:
            if not app_token:
                raise SlackError("not_allowed_token_type")
            return False
        if token == self.bot_token:
            if app_token:
                raise SlackError("not_allowed_token_type")
            return True
        raise SlackError("invalid_auth")

    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        headers: dict[str, str] = {}
        try:
            try:
                params, token = await read_request(request)
            except SlackError as error:
                self.server_errors.append(f"could not parse a {name} request: {error!r}")
                raise
            self.calls.append((name, params.recorded()))
            self.stats.calls[name] += 1
            method = METHODS.get(name)
            if method is None:
                body = {"ok": False, "error": "unknown_method", "req_method": name}
                return web.json_response(body, status=404)
            if self._authorize(token, method.app_token):
                headers["X-OAuth-Scopes"] = ",".join(sorted(self.scopes or ALL_SCOPES))
                headers["X-Accepted-OAuth-Scopes"] = ",".join(method.scopes)
                self.check_scopes(method.scopes)
            fault = self._take_fault(name)
            if fault is not None and not fault.apply:
                raise fault.error
            result = method.handler(self, params)
            if inspect.isawaitable(result):
                result = await result
            if fault is not None:
                raise fault.error
        except SlackError as error:
            if error.status == 429:
                self.stats.ratelimited += 1
            headers |= error.headers()
            return web.json_response(error.payload(), status=error.status, headers=headers)
        except Exception as crash:  # a bug in the fake: answer loudly, keep it for tests
            self.crashes.append(crash)
            self.server_errors.append(f"500: fake Slack crashed on {name}: {crash!r}")
            logger.exception("fake Slack crashed on %s", name)
            body = {"ok": False, "error": "fatal_error", "detail": f"fake crashed: {crash!r}"}
            return web.json_response(body, status=500)
        return web.json_response({"ok": True, **result}, headers=headers)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = self.upload_tickets.get(request.match_info["ticket"])
        if file_id is None:
            return web.Response(status=404, text="Not Found")
        fault = self._take_fault("upload")
        if fault is not None and not fault.apply:
            return web.Response(status=fault.error.status or 500, text=fault.error.error)
        if request.content_type == "multipart/form-data":
            data = b""
            for value in (await request.post()).values():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    break
        else:
            data = await request.read()
        self.files[file_id].data = data
        if fault is not None:
            return web.Response(status=fault.error.status or 500, text=fault.error.error)
        return web.Response(text=f"OK - {len(data)}")

    async def _handle_download(self, request: web.Request) -> web.Response:
        team, _, file_id = request.match_info["team_file"].partition("-")
        stored = self.files.get(file_id)
        if team != self.team_id or stored is None or stored.data is None:
            return web.Response(status=404, text="Not Found")
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        if token != self.bot_token or (self.scopes is not None and "files:read" not in self.scopes):
            # Slack answers a login page, not an error, to requests without a valid token.
            return web.Response(text=LOGIN_PAGE, content_type="text/html")
        return web.Response(body=stored.data, content_type=stored.mimetype)

    async def _handle_avatar(self, request: web.Request) -> web.Response:
        return web.Response(body=AVATAR, content_type="image/png")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        key = request.path.lstrip("/")
        context = self.response_urls.get(key)
        if context is None:
            return web.Response(status=404, text="no_such_url")
        if context["uses"] >= RESPONSE_URL_USES:
            return web.Response(status=404, text="used_url")
        context["uses"] += 1
        try:
            if request.content_type == "application/json":
                body = await request.json()
            else:
                body = dict(await request.post())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.server_errors.append(f"could not parse a response_url request to {key}")
            return web.Response(status=400, text="invalid_payload")
        applied = self._apply_response(context, body)
        self.responses.append(
            {"url": str(request.url), "body": body, "context": copy.deepcopy(context), **applied}
        )
        self.changed.fire()
        return web.json_response({"ok": True})

    def _apply_response(self, context: Json, body: Json) -> Json:
        """What a response_url message does: replace/delete the original, post in the
        channel, or (the default) show an ephemeral message to the person."""
        channel = self.channels.get(context["channel"])
        original_ts = context.get("message_ts")
        original = channel.messages.get(original_ts) if channel and original_ts else None
        bot_original = original is not None and self.is_bots(original)
        if body.get("delete_original") in (True, "true"):
            if channel is not None and bot_original:
                self.remove_message(channel, original_ts or "")
                return {"applied": "delete_original"}
            return {"applied": None}
        if body.get("replace_original") in (True, "true"):
            if original is not None and bot_original:
                original["text"] = body.get("text", "")
                if body.get("blocks") is not None:
                    original["blocks"] = body["blocks"]
                else:
                    original.pop("blocks", None)
                return {"applied": "replace_original"}
            return {"applied": None}
        message: Json = {
            "user": self.bot_user_id,
            "type": "message",
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": body.get("text", ""),
            "team": self.team_id,
            "ts": self.next_ts(),
        }
        if body.get("blocks") is not None:
            message["blocks"] = body["blocks"]
        thread_ts = body.get("thread_ts") or context.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = thread_ts
        if body.get("response_type") == "in_channel" and channel is not None:
            self.store_message(channel, message)
            return {"applied": "in_channel", "ts": message["ts"]}
        message["channel"] = context["channel"]
        message["recipient"] = context["user"]
        self.ephemeral.setdefault(context["user"], []).append(message)
        return {"applied": "ephemeral", "ts": message["ts"]}


__all__ = ["Delivery", "FakeSlack"]
