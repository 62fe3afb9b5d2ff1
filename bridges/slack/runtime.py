"""Starting the Slack bridge: Bolt on /slack/events (or Socket Mode), its sender and members."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.base.connections import WorkspacePorts
from bot.base.health import Outage
from bot.base.i18n import Text, _
from bot.base.reconnect import backoff_of, connect_with_backoff
from bot.base.settings import Settings
from bot.core import Core
from bridges.slack import EVENTS_PATH, reach
from bridges.slack.files import SlackFiles
from bridges.slack.inbound import read_slack_request
from bridges.slack.listeners import register_listeners
from bridges.slack.sender import SlackSender

log = logging.getLogger(__name__)

NO_TOKEN = _("RELAYDESK_SLACK_CHANNEL_ID is set but RELAYDESK_SLACK_BOT_TOKEN is not (xoxb-…).")
NO_SECRET = _(
    "Neither RELAYDESK_SLACK_SIGNING_SECRET (events over HTTP at /slack/events) nor "
    "RELAYDESK_SLACK_APP_TOKEN (Socket Mode) is set: copy one from the app's "
    "Basic Information page."
)


def make_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.secret(settings.slack_bot_token), base_url=f"{settings.slack_api_url}/api/"
    )


class SlackMembers:
    """Channel membership, read from Slack (the core caches the answer)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def is_member(self, chat: str, user_external_id: str) -> bool:
        cursor = None
        try:
            while True:
                page = await self._client.conversations_members(
                    channel=chat, cursor=cursor, limit=1000
                )
                if user_external_id in page.get("members", []):
                    return True
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return False
        except SlackApiError as error:
            log.warning("Could not read the members of %s: %s", chat, error.response.get("error"))
            return False


class SlackBridge:
    def __init__(self) -> None:
        self.bolt: AsyncApp | None = None
        self._socket: Any = None
        self._running: asyncio.Task[None] | None = None
        self._failing_token = reach.BOT_TOKEN  # which token a refusal is about
        self._verifier: SignatureVerifier | None = None

    def install(self, app: web.Application) -> None:
        app.router.add_post(EVENTS_PATH, self._on_request)

    async def _on_request(self, request: web.Request) -> web.StreamResponse:
        """Without a signing secret (Socket Mode only) nothing could prove a request came
        from Slack, so the HTTP door stays shut."""
        if self.bolt is None or self._verifier is None:
            raise web.HTTPNotFound(text="Slack events over HTTP are not enabled")
        bolt_request = await read_slack_request(request, self._verifier)
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

    async def start(self, app: web.Application, core: Core) -> None:
        """Never fails the desk: an unreachable Slack is tried again in the background and
        reported to `core.health` meanwhile."""
        settings = core.settings
        token = settings.secret(settings.slack_bot_token)
        if not token:
            if settings.slack_channel_id:
                core.health.off("slack", Text(NO_TOKEN))
                log.warning("Slack is off: set RELAYDESK_SLACK_BOT_TOKEN (xoxb-…)")
            return
        if not settings.slack_signing_secret and not settings.slack_app_token:
            core.health.off("slack", Text(NO_SECRET))
            log.error(
                "Slack is off: set RELAYDESK_SLACK_SIGNING_SECRET (HTTP events) "
                "or RELAYDESK_SLACK_APP_TOKEN (Socket Mode)"
            )
            return
        self._core = core
        core.health.starting("slack")
        self._running = asyncio.create_task(self._run(core, make_client(settings)))

    async def _run(self, core: Core, client: AsyncWebClient) -> None:
        """Connect, then keep an eye on Slack: the Web API going away while running, or the
        Socket Mode connection (which the SDK re-opens by itself), shows in `/healthz` and
        the log, and so does its coming back."""
        settings = core.settings
        await connect_with_backoff(
            "slack",
            lambda: self._connect(core, client),
            lambda error: reach.outage(error, settings, core.redactor, self._failing_token),
            health=core.health,
            backoff=backoff_of(settings),
            translator=core.translator,
        )
        pause, next_delay, said = settings.reconnect_max_seconds, None, None
        while True:
            await asyncio.sleep(pause)
            try:
                await self._probe(client)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                outage = reach.outage(error, settings, core.redactor)
                if outage is None:
                    log.exception("Checking on Slack failed unexpectedly")
                    outage = Outage.unexpected(error, core.redactor)
                core.health.down("slack", outage)
                words = core.translator.render("en", outage.text)
                if words != said:
                    log.error("Slack is down: %s Trying again.", words)
                    said = words
                next_delay = next_delay or backoff_of(settings).delays()
                pause = next_delay(outage)
                continue
            if said is not None:
                log.info("Slack is back up")
            core.health.up("slack")
            pause, next_delay, said = settings.reconnect_max_seconds, None, None

    async def _probe(self, client: AsyncWebClient) -> None:
        await client.auth_test()
        if self._socket is not None and not await self._socket.client.is_connected():
            raise reach.SocketModeLost("the Socket Mode connection is lost; it is re-opened")

    async def _connect(self, core: Core, client: AsyncWebClient) -> None:
        settings = core.settings
        self._failing_token = reach.BOT_TOKEN
        identity = await client.auth_test()
        bolt = AsyncApp(
            client=client,  # Bolt takes the token from the client
            signing_secret=settings.secret(settings.slack_signing_secret) or "socket-mode-only",
            # Store before acknowledging: Slack retries what was not acknowledged.
            process_before_response=True,
        )
        register_listeners(bolt, core, bot_user=str(identity["user_id"]))
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._failing_token = reach.APP_TOKEN
            socket = AsyncSocketModeHandler(bolt, settings.secret(settings.slack_app_token))
            try:
                await socket.connect_async()
            except BaseException:
                await socket.close_async()
                raise
            self._socket = socket
        token = settings.secret(settings.slack_bot_token) or ""
        sender = SlackSender(
            client,
            core.translator,
            str(identity["team_id"]),
            core.connections.fetch_files,
            core.redactor,
            web_url=str(identity.get("url") or "https://slack.com"),
            zone=ZoneInfo(settings.timezone),
        )
        core.connect_workspace(
            WorkspacePorts("slack", sender, SlackMembers(client), SlackFiles(token, core.redactor))
        )
        self.bolt = bolt
        signing_secret = settings.secret(settings.slack_signing_secret)
        if signing_secret:
            self._verifier = SignatureVerifier(signing_secret)
        log.info(
            "Slack app %s serves channel %s (%s)",
            identity.get("user"),
            settings.slack_channel_id,
            "Socket Mode" if self._socket else f"events at {EVENTS_PATH}",
        )

    async def stop(self) -> None:
        if self._running is not None:
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
        if self._socket is not None:
            await self._socket.close_async()


def create_bridge() -> SlackBridge:
    return SlackBridge()
