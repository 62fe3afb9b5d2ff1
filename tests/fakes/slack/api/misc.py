"""auth.test, api.test and apps.connections.open (Socket Mode)."""

from __future__ import annotations

from typing import Any

from ..errors import SlackError
from ..params import Params
from ..world import Json, World
from .table import MethodTable

methods = MethodTable()


@methods("auth.test")
def auth_test(world: World, p: Params) -> Json:
    return {
        "url": f"https://{world.team_domain}.slack.com/",
        "team": world.team_name,
        "user": world.users[world.bot_user_id]["name"],
        "team_id": world.team_id,
        "user_id": world.bot_user_id,
        "bot_id": world.bot_id,
        "is_enterprise_install": False,
    }


@methods("api.test")
def api_test(world: World, p: Params) -> Json:
    args: dict[str, Any] = {k: v for k, v in p.values.items() if k != "error"}
    if p.text("error"):
        raise SlackError(p.required("error"), extra={"args": args} if args else None)
    return {"args": args} if args else {}


@methods("apps.connections.open", app_token=True)
def connections_open(world: World, p: Params) -> Json:
    ticket = world.new_token(36)
    world.socket_tickets.add(ticket)
    ws_base = world.base_url.replace("http://", "ws://", 1)
    return {"url": f"{ws_base}/socket?ticket={ticket}&app_id={world.app_id}"}
