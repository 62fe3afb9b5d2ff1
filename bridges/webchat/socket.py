"""The widget's WebSocket, `/webchat/ws?key=<public key>`: the origin is checked before the
upgrade; the first frame is `hello` (the visitor's token, if any, the last line shown and
the page's language), answered with `welcome` (the token, the lines not shown yet, the form
the visitor is asked and whether the team is away). Then `message`, `choose` and `typing`
frames in, `item` frames out (a new or changed line), each answer
to a frame (`sent`, `chosen`, `error`) in order with the lines."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from bridges.webchat.access import Refused, entry_point_of, refusal
from bridges.webchat.chats import Chats, language_of
from bridges.webchat.hub import Hub, Window

log = logging.getLogger(__name__)

HELLO_SECONDS = 10.0
MAX_FRAME = 16 * 1024
HEARTBEAT = 30.0


def _frame(data: str) -> dict[str, Any] | None:
    try:
        frame = json.loads(data)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def _error(error: Refused, frame: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"type": "error", **error.shape()}
    if frame is not None and isinstance(frame.get("id"), str):
        answer["id"] = frame["id"][:40]
    return answer


async def _writer(ws: web.WebSocketResponse, window: Window) -> None:
    """Sends the window's frames in order; a None (too slow, or the desk stops) closes it."""
    while (frame := await window.queue.get()) is not None:
        await ws.send_json(frame)
    await ws.close()


async def serve_socket(request: web.Request, chats: Chats, hub: Hub) -> web.StreamResponse:
    try:
        webchat, _origin = await entry_point_of(request)
    except Refused as error:
        return refusal(error)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_FRAME)
    await ws.prepare(request)
    hello = await _hello(ws)
    if hello is None:
        await ws.close()
        return ws
    try:
        visitor, token = chats.admit(webchat, hello.get("token"))
    except Refused as error:
        await ws.send_json({"type": "refused", "code": error.code, "message": error.message})
        await ws.close()
        return ws
    language = language_of(hello.get("language"))
    window = hub.open(visitor.external_id)  # before the history: nothing slips in between
    writer = asyncio.create_task(_writer(ws, window))
    try:
        window.send(await chats.welcome(webchat, visitor, token, hello.get("after")))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            frame = _frame(message.data)
            try:
                if frame is None:
                    raise Refused(400, "bad_frame", "Each frame is one JSON object.")
                if frame.get("type") == "message":
                    address = request.remote or ""
                    window.send(await chats.say(webchat, visitor, frame, address, language))
                elif frame.get("type") == "choose":
                    window.send(await chats.choose(visitor, frame))
                elif frame.get("type") == "typing":
                    await chats.typing(visitor)  # nothing to answer: a sign, not a message
                else:
                    raise Refused(400, "bad_frame", "type: message, choose or typing.")
            except Refused as error:
                window.send(_error(error, frame))
    finally:
        hub.closed(visitor.external_id, window)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
    return ws


async def _hello(ws: web.WebSocketResponse) -> dict[str, Any] | None:
    try:
        async with asyncio.timeout(HELLO_SECONDS):
            first = await ws.receive()
    except TimeoutError:
        return None
    hello = _frame(first.data) if first.type == WSMsgType.TEXT else None
    if hello is None or hello.get("type") != "hello":
        if not ws.closed:
            await ws.send_json(
                {"type": "refused", "code": "bad_hello", "message": "Start with a hello frame."}
            )
        return None
    return hello
