"""A small round-robin HTTP proxy: several `relaydesk run` behind one address, as a load
balancer puts them, where none is at hand (`deploy/run-two.sh`, the tests).

    python -m relaydesk.proxy --listen 127.0.0.1:8080 127.0.0.1:8081 127.0.0.1:8082

Each request goes to the next backend in turn; a backend that refuses the connection (it is
down) is skipped for the next one. A request that reached a backend is never sent again: a
webhook whose instance died answering it gets 502, and Telegram or Slack send it again. The
answer names its backend in `X-Relaydesk-Backend`. Not a production load balancer (nginx or
caddy are: deploy/compose.yaml).
"""

from __future__ import annotations

import argparse
import itertools
import logging

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

BACKEND = "X-Relaydesk-Backend"
# Hop-by-hop headers, and what aiohttp sets itself.
_DROPPED = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


class RoundRobin:
    def __init__(self, backends: list[str], *, timeout: float = 60.0) -> None:
        if not backends:
            raise ValueError("at least one backend")
        self.backends = [b if "://" in b else f"http://{b}" for b in backends]
        self._turn = itertools.cycle(range(len(self.backends)))
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self.inflight = 0  # requests forwarded and not answered yet
        self.served: dict[str, int] = dict.fromkeys(self.backends, 0)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        app.on_startup.append(self._open)
        app.on_cleanup.append(self._close)
        return app

    async def _open(self, app: web.Application) -> None:
        # Made once before the first request: requests arriving together share it.
        self._session = aiohttp.ClientSession(
            auto_decompress=False, connector=aiohttp.TCPConnector(limit=0)
        )

    async def _close(self, app: web.Application) -> None:
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED}
        headers["X-Forwarded-For"] = request.remote or ""
        for _ in self.backends:
            backend = self.backends[next(self._turn)]
            self.inflight += 1
            try:
                async with self._session.request(
                    request.method,
                    backend + request.rel_url.raw_path_qs,
                    headers=headers,
                    data=body,
                    allow_redirects=False,
                    timeout=self._timeout,
                ) as upstream:
                    answer = web.Response(
                        status=upstream.status, body=await upstream.read(), headers=_kept(upstream)
                    )
            except aiohttp.ClientConnectorError:
                continue  # down: the next one
            except (aiohttp.ClientError, TimeoutError) as error:
                log.warning("%s failed mid-request: %s", backend, type(error).__name__)
                raise web.HTTPBadGateway(text="the backend failed") from None
            finally:
                self.inflight -= 1
            self.served[backend] += 1
            answer.headers[BACKEND] = backend
            return answer
        raise web.HTTPBadGateway(text="no backend is up")


def _kept(upstream: aiohttp.ClientResponse) -> dict[str, str]:
    return {k: v for k, v in upstream.headers.items() if k.lower() not in _DROPPED}


async def serve(proxy: RoundRobin, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(proxy.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT")
    parser.add_argument("backends", nargs="+", help="HOST:PORT of each relaydesk run")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s proxy %(message)s")
    web.run_app(RoundRobin(args.backends).app(), host=host, port=int(port), access_log=None)


if __name__ == "__main__":
    main()
