"""Starting the Slack bridge: Bolt on /slack/events (or Socket Mode), its sender and members."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Core
from bot.settings import Settings
from bridges.slack.files import SlackFiles
from bridges.slack.inbound import read_slack_request
from bridges.slack.listeners import register_listeners
from bridges.slack.sender import SlackSender

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


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
        settings = core.settings
        token = settings.secret(settings.slack_bot_token)
        if not token:
            if settings.slack_channel_id:
                log.warning("Slack is off: set RELAYDESK_SLACK_BOT_TOKEN (xoxb-…)")
            return
        if not settings.slack_signing_secret and not settings.slack_app_token:
            log.error(
                "Slack is off: set RELAYDESK_SLACK_SIGNING_SECRET (HTTP events) "
                "or RELAYDESK_SLACK_APP_TOKEN (Socket Mode)"
            )
            return
        client = make_client(settings)
        try:
            identity = await client.auth_test()
        except SlackApiError as error:
            log.error("Slack is off: the bot token was refused (%s)", error.response.get("error"))
            return
        bolt = AsyncApp(
            client=client,  # Bolt takes the token from the client
            signing_secret=settings.secret(settings.slack_signing_secret) or "socket-mode-only",
            # Store before acknowledging: Slack retries what was not acknowledged.
            process_before_response=True,
        )
        register_listeners(bolt, core, bot_user=str(identity["user_id"]))
        core.files.register("ws:slack", SlackFiles(token))
        core.workspaces["slack"] = SlackSender(
            client,
            core.translator,
            str(identity["team_id"]),
            core.files.fetch,
            web_url=str(identity.get("url") or "https://slack.com"),
        )
        core.members["slack"] = SlackMembers(client)
        self.bolt = bolt
        signing_secret = settings.secret(settings.slack_signing_secret)
        if signing_secret:
            self._verifier = SignatureVerifier(signing_secret)
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(bolt, settings.secret(settings.slack_app_token))
            await self._socket.connect_async()
        log.info(
            "Slack app %s serves channel %s (%s)",
            identity.get("user"),
            settings.slack_channel_id,
            "Socket Mode" if self._socket else f"events at {EVENTS_PATH}",
        )

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()


def create_bridge() -> SlackBridge:
    return SlackBridge()
