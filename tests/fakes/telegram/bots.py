"""The bots the fake serves, and which of them is making the call being served."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from .chats import Json
from .limits import RateLimiter


@dataclass
class FakeBot:
    """One bot the fake serves, by its token: the main bot (which polls and talks to
    customers) or a helper bot that only posts into groups it was added to. Each has its own
    rate limits, as in Telegram."""

    token: str
    user: Json
    limiter: RateLimiter
    main: bool

    @property
    def id(self) -> int:
        return int(self.user["id"])


# The bot whose call is being served; outside a call (a test arranging or inspecting the
# world), the main bot.
ACTING: ContextVar[FakeBot | None] = ContextVar("fake_telegram_acting_bot", default=None)


def bot_user(bot_id: int, name: str, username: str) -> Json:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
