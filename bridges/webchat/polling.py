"""The long-polling fallback, for networks that block WebSockets: `POST /webchat/session`
(the `hello` of the socket), `/webchat/poll` (waits for lines after the last one shown, or
a newer "read" mark), `/webchat/messages`, `/webchat/choices` and `/webchat/typing`. Each
takes `?key=<public key>` and a JSON body with the visitor's token; the widget sends it as
text/plain, so a browser sends it without a preflight (one is answered all the same). The
origin is checked on every request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.webchat.tokens import Visitor
from bot.webchat.transcript import read_upto
from bridges.webchat.access import Refused, cors_headers, entry_point_of, refusal
from bridges.webchat.chats import Chats, language_of, whole
from bridges.webchat.hub import Hub
from bridges.webhook_body import BadBody, decode_text, parse_json_object, read_body
from storage.models import WebchatEntryPoint

MAX_BODY = 16 * 1024
COMMIT_GRACE = 0.3  # seconds

Action = Callable[[WebchatEntryPoint, dict[str, Any], web.Request], Awaitable[dict[str, Any]]]


class Polling:
    def __init__(self, chats: Chats, hub: Hub, poll_seconds: float) -> None:
        self._chats = chats
        self._hub = hub
        self._poll_seconds = poll_seconds

    async def _serve(self, request: web.Request, action: Action) -> web.Response:
        origin = request.headers.get("Origin")
        try:
            webchat, origin = await entry_point_of(request)
            try:
                body = parse_json_object(decode_text(await read_body(request, MAX_BODY)))
            except (BadBody, web.HTTPRequestEntityTooLarge):
                raise Refused(400, "bad_body", "The body is one JSON object.") from None
            answer = await action(webchat, body, request)
        except Refused as error:
            # The refusal is readable by the page that asked, so the widget can say it.
            return refusal(error, origin)
        return web.json_response(answer, headers=cors_headers(origin))

    async def preflight(self, request: web.Request) -> web.Response:
        origin = request.headers.get("Origin")
        try:
            _webchat, origin = await entry_point_of(request)
        except Refused as error:
            return refusal(error, origin)
        return web.Response(status=204, headers=cors_headers(origin))

    def _visitor(self, webchat: WebchatEntryPoint, body: dict[str, Any]) -> Visitor:
        return self._chats.visitor(webchat, body.get("token"))

    async def session(self, request: web.Request) -> web.Response:
        async def action(
            webchat: WebchatEntryPoint, body: dict[str, Any], _: web.Request
        ) -> dict[str, Any]:
            visitor, token = self._chats.admit(webchat, body.get("token"))
            return await self._chats.welcome(webchat, visitor, token, body.get("after"))

        return await self._serve(request, action)

    async def poll(self, request: web.Request) -> web.Response:
        async def action(
            webchat: WebchatEntryPoint, body: dict[str, Any], _: web.Request
        ) -> dict[str, Any]:
            visitor = self._visitor(webchat, body)
            shown_read = whole(body.get("read")) or 0

            async def news_now() -> dict[str, Any] | None:
                items = await self._chats.history(visitor, body.get("after"))
                read = await read_upto(visitor.external_id)
                if items or read > shown_read:
                    return {"type": "items", "items": items, "read": read}
                return None

            with self._hub.listening(visitor.external_id) as news:
                found = await news_now()
                if found is None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_seconds):
                            await news.wait()
                    found = await news_now()
                if found is None and news.is_set():
                    # A "read" mark is told from inside its change's transaction: it may
                    # not be committed yet when the poll wakes.
                    await asyncio.sleep(COMMIT_GRACE)
                    found = await news_now()
            return found or {"type": "items", "items": [], "read": shown_read}

        return await self._serve(request, action)

    async def message(self, request: web.Request) -> web.Response:
        async def action(
            webchat: WebchatEntryPoint, body: dict[str, Any], request: web.Request
        ) -> dict[str, Any]:
            visitor = self._visitor(webchat, body)
            language = language_of(body.get("language"))
            return await self._chats.say(webchat, visitor, body, request.remote or "", language)

        return await self._serve(request, action)

    async def typing(self, request: web.Request) -> web.Response:
        async def action(
            webchat: WebchatEntryPoint, body: dict[str, Any], _: web.Request
        ) -> dict[str, Any]:
            return await self._chats.typing(self._visitor(webchat, body))

        return await self._serve(request, action)

    async def choice(self, request: web.Request) -> web.Response:
        async def action(
            webchat: WebchatEntryPoint, body: dict[str, Any], _: web.Request
        ) -> dict[str, Any]:
            return await self._chats.choose(self._visitor(webchat, body), body)

        return await self._serve(request, action)
