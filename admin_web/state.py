"""What every page reaches: the running core, the session store and the login throttle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from admin_web.sessions import DatabaseSessions, SessionStore
from admin_web.throttle import LoginThrottle
from bot.core import Core


@dataclass
class PanelState:
    core: Core | None = None
    sessions: SessionStore = field(default_factory=DatabaseSessions)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # The empty dashboard's set-up findings and when they were found: checks call out to
    # Telegram and Slack, and the dashboard reloads itself every few seconds.
    setup_findings: tuple[float, list[Any]] | None = None


PANEL_STATE = web.AppKey("panel_state", PanelState)


def state_of(request: web.Request) -> PanelState:
    return request.config_dict[PANEL_STATE]


def core_of(request: web.Request) -> Core:
    core = state_of(request).core
    if core is None:
        raise web.HTTPServiceUnavailable(text="starting")
    return core
