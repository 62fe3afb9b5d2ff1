"""Starting the web chat channel: its routes are there from the start (answering 503 until
the core is ready), the widget script among them; once the core is, the customer sender
that shows answers in visitors' windows is handed to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web

from bot.attachments.store import StoredFiles
from bot.base.connections import CustomerPorts
from bot.core import Core
from bot.webchat import CHANNEL, FILE_PATH
from bot.webchat.customer_sender import WebchatCustomerSender
from bot.webchat.reads import Reads
from bridges.file_downloads import serve_file
from bridges.webchat import PREFIX
from bridges.webchat.access import Refused, refusal
from bridges.webchat.chats import Chats
from bridges.webchat.fanout import Fanout
from bridges.webchat.hub import Hub
from bridges.webchat.polling import Polling
from bridges.webchat.socket import serve_socket
from bridges.webchat.uploads import Uploads

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WIDGET = files("bridges.webchat") / "static" / "widget.js"


class WebchatBridge:
    def __init__(self) -> None:
        self.hub = Hub()
        self._chats: Chats | None = None
        self._polling: Polling | None = None
        self._fanout: Fanout | None = None
        self._uploads: Uploads | None = None
        self._widget = WIDGET.read_bytes()
        self._reading = False

    def install(self, app: web.Application) -> None:
        app.router.add_get(f"{PREFIX}/widget.js", self._script)
        app.router.add_get(f"{PREFIX}/ws", self._when_ready(self._socket))
        for path, method in (
            ("session", Polling.session),
            ("poll", Polling.poll),
            ("messages", Polling.message),
            ("choices", Polling.choice),
            ("typing", Polling.typing),
        ):
            app.router.add_post(f"{PREFIX}/{path}", self._polled(method))
            app.router.add_route("OPTIONS", f"{PREFIX}/{path}", self._polled(Polling.preflight))
        app.router.add_post(f"{PREFIX}/files", self._when_ready(self._upload))
        app.router.add_route("OPTIONS", f"{PREFIX}/files", self._polled(Polling.preflight))
        app.router.add_get(FILE_PATH + "/{id}", self._when_ready(self._download))
        app.on_shutdown.append(self._shutdown)

    def _when_ready(self, handler: Handler) -> Handler:
        """Routes are fixed before the server starts; the core they serve comes later."""

        async def ready(request: web.Request) -> web.StreamResponse:
            if self._chats is None:
                return refusal(
                    Refused(503, "starting", "The desk is starting; try again shortly."),
                    request.headers.get("Origin"),
                )
            return await handler(request)

        return ready

    def _polled(self, method: Callable[[Polling, web.Request], Awaitable[web.Response]]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            assert self._polling is not None
            return await method(self._polling, request)

        return self._when_ready(handler)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        assert self._chats is not None
        return await serve_socket(request, self._chats, self.hub)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        assert self._uploads is not None
        return await self._uploads.upload(request)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        return await serve_file(request, CHANNEL)

    async def _script(self, request: web.Request) -> web.Response:
        response = web.Response(
            body=self._widget,
            content_type="application/javascript",
            charset="utf-8",
            headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
        )
        response.enable_compression()
        return response

    async def start(self, app: web.Application, core: Core) -> None:
        settings = core.settings
        if core.redis is not None:
            self._fanout = Fanout(self.hub, core.redis)
            await self._fanout.start()
        sender = WebchatCustomerSender(
            self.hub, core.translator, core.connections.fetch_files, settings.file_link_hours
        )
        core.connect_customers(CustomerPorts(CHANNEL, CHANNEL, sender, files=StoredFiles()))
        if not self._reading:  # the core outlives a restart of the bridge
            core.actions.watch(Reads(self.hub, core.clock, settings.file_link_hours).changed)
            self._reading = True
        self._chats = Chats(core, self.hub)
        self._polling = Polling(self._chats, self.hub, settings.webchat_poll_seconds)
        self._uploads = Uploads(self._chats, settings.webchat_max_file_bytes)
        core.health.up(CHANNEL)

    async def _shutdown(self, app: web.Application) -> None:
        self.hub.close_all()

    async def stop(self) -> None:
        self.hub.close_all()
        if self._fanout is not None:
            await self._fanout.stop()
            self._fanout = None
        self._chats = None
        self._polling = None
        self._uploads = None
