"""A messenger's API that cannot be reached or does not answer like itself: nothing on a
port yet (connection refused), a proxy's 404 page in its place, or a fake that goes away
and comes back on the same port with everything it knew."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tests.fakes.common import AppServer
from tests.fakes.desk import free_port

PAGE = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>nginx</body></html>"


def nobody_listens() -> tuple[int, str]:
    """A port with nothing on it (connect: refused) and its URL; start a fake there later."""
    port = free_port()
    return port, f"http://127.0.0.1:{port}"


class ErrorPages(AppServer):
    """What a misconfigured proxy answers to every path: a 404 HTML page."""

    def __init__(self, status: int = 404) -> None:
        self.host, self.port, self.base_url = "127.0.0.1", 0, ""
        self.status = status
        self._runner = None
        self._client = None
        self.hits = 0

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._page)
        return await self._serve(app)

    async def _page(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(status=self.status, text=PAGE, content_type="text/html")

    async def close(self) -> None:
        await self._shutdown()


async def go_away(server: AppServer) -> None:
    """Stop listening and drop open connections; the fake keeps its state."""
    assert server._runner is not None
    for site in list(server._runner.sites):
        await site.stop()
    handler = server._runner.server
    for connection in list(getattr(handler, "connections", [])):
        connection.force_close()


async def come_back(server: AppServer) -> None:
    """Listen again on the same port."""
    assert server._runner is not None
    await web.TCPSite(server._runner, server.host, int(server.base_url.rsplit(":", 1)[1])).start()


class Silence:
    """Accepts connections and never answers: a firewall that drops, a hung proxy."""

    def __init__(self) -> None:
        self.base_url = ""
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> str:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._writers.append(writer)

        self._server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
