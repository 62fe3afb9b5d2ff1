"""Starting the web chat channel: its routes are there from the start (answering 503 until
the core is ready), the widget script among them; once the core is, the customer sender
that shows answers in visitors' windows is handed to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web

from bot.base.connections import CustomerPorts
from bot.core import Core
from bot.webchat import CHANNEL
from bot.webchat.customer_sender import WebchatCustomerSender
from bot.webchat.reads import Reads
from bridges.webchat import PREFIX
from bridges.webchat.access import Refused, refusal
from bridges.webchat.chats import Chats
from bridges.webchat.fanout import Fanout
from bridges.webchat.hub import Hub
from bridges.webchat.polling import Polling
from bridges.webchat.socket import serve_socket

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WIDGET = files("bridges.webchat") / "static" / "widget.js"


class WebchatBridge:
    def __init__(self) -> None:
        self.hub = Hub()
        self._chats: Chats | None = None
        self._polling: Polling | None = None
        self._fanout: Fanout | None = None
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
        if core.redis is not None:
            self._fanout = Fanout(self.hub, core.redis)
            await self._fanout.start()
        sender = WebchatCustomerSender(self.hub, core.translator)
        core.connect_customers(CustomerPorts(CHANNEL, CHANNEL, sender))
        if not self._reading:  # the core outlives a restart of the bridge
            core.actions.watch(Reads(self.hub, core.clock).changed)
            self._reading = True
        self._chats = Chats(core, self.hub)
        self._polling = Polling(self._chats, self.hub, core.settings.webchat_poll_seconds)
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
