"""The routers' filters as coroutines: aiogram runs a plain callable filter (a magic `F`
expression included) in a worker thread, one hand-off per update and filter, which costs
more than the check itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.types import CallbackQuery, Message

GROUPS = frozenset({"group", "supergroup"})


async def in_private_chat(message: Message) -> bool:
    return message.chat.type == "private"


async def in_group(message: Message) -> bool:
    return message.chat.type in GROUPS


def pressed(prefix: str, *, in_private: bool = False) -> Callable[[CallbackQuery], Awaitable[bool]]:
    """A button whose data starts with `prefix` (under a message of a private chat)."""

    async def check(query: CallbackQuery) -> bool:
        if not (query.data or "").startswith(prefix):
            return False
        message = query.message
        return not in_private or (message is not None and message.chat.type == "private")

    return check
