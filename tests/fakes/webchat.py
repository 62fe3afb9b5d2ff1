"""The web chat from the outside: a visitor's window as the widget opens it, over the
WebSocket or the long-polling fallback, from a page of a given origin."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import aiohttp

from bot.directory.webchat_entry_points import create_webchat_entry_point
from storage.models import WebchatEntryPoint
from tests.fakes.desk import Desk

SHOP = "https://shop.example"


async def webchat_entry_point(
    desk: Desk, slug: str = "shop", origins: tuple[str, ...] = (SHOP,)
) -> WebchatEntryPoint:
    line = desk.core.default_line
    assert line is not None
    return await create_webchat_entry_point(slug, line.slug, origins=list(origins), name="Shop")


class Window:
    """One open widget: `open()` says hello (with `token` when the visitor has one)."""

    def __init__(
        self, desk: Desk, key: str, token: str | None = None, origin: str | None = SHOP
    ) -> None:
        self.desk = desk
        self.key = key
        self.token = token
        self.origin = origin
        self.welcome: dict[str, Any] = {}
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._passed: list[dict[str, Any]] = []  # lines read while waiting for an answer

    def _headers(self) -> dict[str, str]:
        return {"Origin": self.origin} if self.origin else {}

    async def open(self, after: int = 0) -> dict[str, Any]:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(
            f"{self.desk.url}/webchat/ws?key={self.key}", headers=self._headers()
        )
        await self._ws.send_json(
            {"type": "hello", "token": self.token, "after": after, "language": "en"}
        )
        self.welcome = await self.frame()
        if self.welcome["type"] == "welcome":
            self.token = self.welcome["token"]
        return self.welcome

    async def frame(self, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        assert self._ws is not None
        async with asyncio.timeout(timeout):
            return await self._ws.receive_json()

    async def say(self, text: str, **form: Any) -> dict[str, Any]:
        """Sends `text` (with the form's values: name, email, form); its answer (`sent` or
        `error`). Frames read on the way are kept for `item`."""
        assert self._ws is not None
        frame_id = uuid.uuid4().hex
        await self._ws.send_json({"type": "message", "id": frame_id, "text": text, **form})
        while True:
            frame = await self.frame()
            if frame.get("id") == frame_id and frame["type"] in ("sent", "error"):
                return frame
            self._passed.append(frame)

    async def item(self, kind: str | None = None) -> dict[str, Any]:
        """The next line shown of `kind` (others are skipped)."""
        while True:
            frame = self._passed.pop(0) if self._passed else await self.frame()
            if frame["type"] == "item" and kind in (None, frame["item"]["kind"]):
                return frame["item"]

    async def typing(self) -> None:
        """The visitor types: a sign with no answer."""
        assert self._ws is not None
        await self._ws.send_json({"type": "typing"})

    async def choose(self, item_id: int, choice: int) -> dict[str, Any]:
        assert self._ws is not None
        await self._ws.send_json({"type": "choose", "item": item_id, "choice": choice})
        while True:
            frame = await self.frame()
            if frame["type"] == "chosen":
                return frame
            self._passed.append(frame)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()


async def post(
    desk: Desk, path: str, key: str, body: Any, origin: str | None = SHOP
) -> tuple[int, Any, dict[str, str]]:
    """A long-polling call, as the widget makes it (a text/plain body: no preflight)."""
    headers = {"Content-Type": "text/plain"} | ({"Origin": origin} if origin else {})
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{desk.url}/webchat/{path}?key={key}", data=json.dumps(body), headers=headers
        ) as answer,
    ):
        return answer.status, await answer.json(content_type=None), dict(answer.headers)


async def send_file(
    desk: Desk,
    key: str,
    token: str | None,
    name: str,
    data: bytes,
    *,
    mime: str = "application/octet-stream",
    text: str | None = None,
    origin: str | None = SHOP,
    message_id: str | None = None,
    language: str = "en",
    form: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """The widget's upload: a multipart form with the visitor's token and the file, and
    the pre-chat form's values (`name`, `email`) when given."""
    body = aiohttp.FormData()
    body.add_field("token", token or "")
    body.add_field("id", message_id or uuid.uuid4().hex)
    body.add_field("language", language)
    if text is not None:
        body.add_field("text", text)
    for field, value in (form or {}).items():
        body.add_field(field, value)
    body.add_field("file", data, filename=name, content_type=mime)
    headers = {"Origin": origin} if origin else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{desk.url}/webchat/files?key={key}", data=body, headers=headers) as answer,
    ):
        return answer.status, await answer.json(content_type=None)


async def download(desk: Desk, url: str) -> tuple[int, bytes, dict[str, str]]:
    """What a browser gets for a file link of a visitor's window (no Origin: an <img>, a
    link the visitor opens)."""
    async with aiohttp.ClientSession() as session, session.get(f"{desk.url}{url}") as answer:
        return answer.status, await answer.read(), dict(answer.headers)
