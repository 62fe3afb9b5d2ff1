"""Helper bots: more bots in a line's group, each with Telegram's budget of its own (20
messages a minute into a group), that post customers' messages into topics.

They never poll (the main bot receives every update) and see no customer's private chat, so
they send a message's text and upload the files the main bot downloads. A helper serves a
group once it was found an admin there; a group it was not checked in yet is checked in the
background the first time a message goes there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiohttp import ClientError

from bot.base.redact import Redactor
from bridges.telegram.sender import TelegramSender

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({"creator", "administrator"})


def may_post(member: object) -> bool:
    """An admin that may manage topics: a topic closed by hand is reopened to post there."""
    status = getattr(member, "status", None)
    return status == "creator" or (
        status == "administrator" and bool(getattr(member, "can_manage_topics", False))
    )


class HelperBots:
    """The helper bots and the groups each was found to serve."""

    def __init__(self, bots: list[Bot], redactor: Redactor) -> None:
        self._bots = {str(bot.id): bot for bot in bots}
        self._senders: dict[str, TelegramSender] = {}
        self._redactor = redactor
        self._serving: dict[str, dict[str, TelegramSender]] = {}
        self._checking: dict[str, asyncio.Task[None]] = {}

    def enlist(self, make_sender: Callable[[Bot, Callable[[str], None]], TelegramSender]) -> None:
        """Their senders, made once the main bot's is (a helper leaves it what it cannot
        send), each given how to say that a group refuses it; groups are checked again."""
        self._senders = {
            name: make_sender(bot, lambda chat, name=name: self.leave_out(chat, name))
            for name, bot in self._bots.items()
        }
        self._serving.clear()

    def leave_out(self, chat: str, name: str) -> None:
        """Telegram refused helper `name` in `chat` (removed, or no longer an admin)."""
        if self._serving.get(chat, {}).pop(name, None) is not None:
            log.warning(
                "Helper bot %s was refused in group %s and posts nothing there until the "
                "desk restarts; run `relaydesk check`",
                name,
                chat,
            )

    def __call__(self, chat: str) -> dict[str, TelegramSender]:
        """The helpers that serve `chat` now (none while it is being checked)."""
        serving = self._serving.get(chat)
        if serving is None and self._senders and chat not in self._checking:
            task = asyncio.create_task(self.check(chat))
            self._checking[chat] = task
            task.add_done_callback(lambda _: self._checking.pop(chat, None))
        return serving or {}

    async def check(self, chat: str) -> None:
        """Which helpers are admins of `chat` (said in the log when one is not)."""
        serving: dict[str, TelegramSender] = {}
        for name, bot in self._bots.items():
            try:
                member = await bot.get_chat_member(chat_id=int(chat), user_id=bot.id)
            except (TelegramAPIError, ClientError, TimeoutError) as error:
                log.warning(
                    "Helper bot %s cannot see group %s and does not post there: %s",
                    name,
                    chat,
                    self._redactor.describe(error),
                )
                continue
            if may_post(member):
                serving[name] = self._senders[name]
            else:
                log.warning(
                    "Helper bot %s is not an admin with the right to manage topics in group "
                    "%s and does not post there; run `relaydesk check`",
                    name,
                    chat,
                )
        self._serving[chat] = serving
        if serving:
            log.info("Group %s: %d helper bot(s) post customers' messages", chat, len(serving))

    async def close(self) -> None:
        for task in list(self._checking.values()):
            task.cancel()
        await asyncio.gather(*(bot.session.close() for bot in self._bots.values()))
