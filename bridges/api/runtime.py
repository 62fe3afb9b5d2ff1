"""Starting the API channel: its routes are there from the start (answering 503 until the
core is ready), and once it is, its ports are handed to the core: the customer sender that
answers API contacts and the poster that sends every webhook call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.api.customer_sender import CHANNEL, WebhookCustomerSender
from bot.api.files import FILE_PATH, FileLinks
from bot.attachments.store import StoredFiles
from bot.base.connections import CustomerPorts
from bot.core import Core
from bridges.api import PREFIX
from bridges.api.errors import ApiError, Handler, api_errors
from bridges.api.openapi import document
from bridges.api.poster import AiohttpWebhookPoster
from bridges.api.routes import ApiRoutes
from bridges.file_downloads import serve_file

Route = Callable[[ApiRoutes, web.Request], Awaitable[web.StreamResponse]]


class ApiBridge:
    def __init__(self) -> None:
        self._routes: ApiRoutes | None = None
        self._poster: AiohttpWebhookPoster | None = None

    def install(self, app: web.Application) -> None:
        app.middlewares.append(api_errors)
        app.router.add_post(f"{PREFIX}/messages", self._forward(ApiRoutes.post_message))
        conversation = f"{PREFIX}/conversations/{{id}}/messages"
        app.router.add_get(conversation, self._forward(ApiRoutes.list_messages))
        app.router.add_get(f"{PREFIX}/openapi.json", self._openapi)
        app.router.add_get(FILE_PATH + "/{id}", self._download)

    def _forward(self, method: Route) -> Handler:
        """Routes are fixed before the server starts; the core they serve comes later."""

        async def handler(request: web.Request) -> web.StreamResponse:
            if self._routes is None:
                raise ApiError(503, "starting", "The desk is starting; try again shortly.")
            return await method(self._routes, request)

        return handler

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A signed link of an attachment (no key needed: the link is the permission)."""
        if self._routes is None:
            raise ApiError(503, "starting", "The desk is starting; try again shortly.")
        response = await serve_file(request, CHANNEL)
        if response.status == 404:
            raise ApiError(404, "not_found", "There is no such file.")
        if response.status == 403:
            raise ApiError(403, "link_not_valid", "This link is not valid (or has expired).")
        return response

    async def _openapi(self, request: web.Request) -> web.Response:
        return web.json_response(document())

    async def start(self, app: web.Application, core: Core) -> None:
        settings = core.settings
        self._poster = AiohttpWebhookPoster(
            allow_private=settings.webhook_allow_private,
            timeout=settings.webhook_timeout_seconds,
            redactor=core.redactor,
        )
        links = FileLinks(settings.file_link_hours, settings.public_url)
        sender = WebhookCustomerSender(
            self._poster, core.translator, core.clock, core.connections.fetch_files, links
        )
        core.connect_customers(
            CustomerPorts(CHANNEL, CHANNEL, sender, files=StoredFiles(), webhooks=self._poster)
        )
        self._routes = ApiRoutes(core, links)
        core.health.up(CHANNEL)

    async def stop(self) -> None:
        self._routes = None
        if self._poster is not None:
            await self._poster.close()
