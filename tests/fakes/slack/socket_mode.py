"""Socket Mode: the websocket that ``apps.connections.open`` URLs point at.

On connect the fake sends ``hello``; tests push envelopes with ``send`` and read
what the app acknowledged (``{"envelope_id", "payload"?}``) from ``acks``.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import aiohttp
from aiohttp import web

from .world import Json, World

KINDS = frozenset({"events_api", "interactive", "slash_commands"})


class SocketHub:
    def __init__(self, world: World) -> None:
        self.world = world
        self.connections: list[web.WebSocketResponse] = []
        self.connects = 0  # websocket connections accepted so far
        self.acks: dict[str, Json] = {}  # envelope_id → the app's acknowledgement
        self.sent: list[Json] = []  # envelopes sent, in order
        self.other: list[Any] = []  # anything else the app sent

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.world.socket_tickets:  # tickets are single-use
            return web.Response(status=401, text="invalid_ticket")
        self.world.socket_tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections.append(ws)
        self.connects += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.connections),
                "debug_info": {
                    "host": "applink-fake-1",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.world.app_id},
            }
        )
        self.world.changed.fire()
        try:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(message.data)
                except ValueError:
                    self.other.append(message.data)
                    continue
                if isinstance(data, dict) and isinstance(data.get("envelope_id"), str):
                    self.acks[data["envelope_id"]] = data
                else:
                    self.other.append(data)
                self.world.changed.fire()
        finally:
            with contextlib.suppress(ValueError):
                self.connections.remove(ws)
            self.world.changed.fire()
        return ws

    def open_connections(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self.connections if not ws.closed]

    async def send(
        self,
        kind: str,
        payload: Json,
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown Socket Mode envelope type {kind!r}")
        connections = self.open_connections()
        if not connections:
            raise RuntimeError("no Socket Mode connection is open")
        if accepts_response_payload is None:
            accepts_response_payload = kind != "events_api"
        envelope_id = self.world.new_uuid()
        envelope: Json = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        self.sent.append(envelope)
        await connections[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every client to reconnect, as Slack does before recycling a connection."""
        for ws in self.open_connections():
            await ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
            )

    async def close(self) -> None:
        for ws in list(self.connections):
            with contextlib.suppress(Exception):
                await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY)
