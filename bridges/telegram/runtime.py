"""Starting the Telegram bridge: the bot, its routers, polling or the webhook, its senders."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import BotCommand, BotCommandScopeChat, Update
from aiohttp import web
from pydantic import ValidationError

from bot.base.connections import CustomerPorts, WorkspacePorts
from bot.base.events import EntryPointRef
from bot.base.health import Outage
from bot.base.i18n import LANGUAGES
from bot.base.reconnect import backoff_of, connect_with_backoff
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bot.core import Core
from bot.directory.configured_lines import ensure_entry_point, workspace_chats
from bridges.telegram import WEBHOOK_PATH, reach
from bridges.telegram.bot_session import BotSession
from bridges.telegram.customer_router import customer_router
from bridges.telegram.files import TelegramFiles
from bridges.telegram.helpers import HelperBots
from bridges.telegram.sender import TelegramSender
from bridges.telegram.turned_off import turned_off
from bridges.telegram.typing import TelegramTyping
from bridges.telegram.workspace_router import workspace_router
from bridges.webhook_body import BadBody, parse_json_object, read_body

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MEMBER_STATUSES = {"creator", "administrator", "member"}
POLL_TIMEOUT = 25
SEND_TIMEOUT = 20.0
UPDATE_ATTEMPTS = 5


def make_bot(settings: Settings, token: str | None = None) -> Bot:
    """The main bot, or the helper bot of `token`."""
    token = token or settings.telegram_token_value
    assert token, "RELAYDESK_TELEGRAM_TOKEN is not set"
    return Bot(token, session=BotSession(settings.telegram_api_url, SEND_TIMEOUT))


def webhook_secret(settings: Settings) -> str:
    """Telegram echoes this on every webhook call; derived from the token unless set."""
    if settings.webhook_secret_value:
        return settings.webhook_secret_value
    token = settings.telegram_token_value or ""
    return hashlib.sha256(f"relaydesk-webhook:{token}".encode()).hexdigest()[:48]


class TelegramMembers:
    def __init__(self, bot: Bot, redactor: Redactor) -> None:
        self._bot = bot
        self._redactor = redactor

    async def is_member(self, chat: str, user_external_id: str) -> bool:
        try:
            member = await self._bot.get_chat_member(
                chat_id=int(chat), user_id=int(user_external_id)
            )
        except TelegramAPIError as error:
            log.warning(
                "Could not check membership of %s in %s: %s",
                user_external_id,
                chat,
                self._redactor.redact(str(error)),
            )
            return False
        if member.status in MEMBER_STATUSES:
            return True
        return member.status == "restricted" and bool(getattr(member, "is_member", False))


class TelegramBridge:
    def __init__(self) -> None:
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None
        self._running: asyncio.Task[None] | None = None
        self._webhook_secret: str | None = None

    async def start(self, app: web.Application, core: Core) -> None:
        """Never fails the desk: an unreachable Bot API is tried again in the background
        and reported to `core.health` meanwhile."""
        self.core = core
        self.settings = settings = core.settings
        if turned_off(core):
            return
        self.bot = make_bot(settings)
        self.helpers = HelperBots(
            [make_bot(settings, token) for token in settings.telegram_helper_token_values],
            core.redactor,
        )
        core.health.starting("telegram")
        self._running = asyncio.create_task(self._run(self.bot))

    async def _run(self, bot: Bot) -> None:
        await connect_with_backoff(
            "telegram",
            lambda: self._connect(bot),
            lambda error: reach.outage(error, self.settings, self.core.redactor),
            health=self.core.health,
            backoff=backoff_of(self.settings),
            translator=self.core.translator,
        )
        if self.settings.telegram_mode == "polling":
            await self._poll(bot)

    async def _connect(self, bot: Bot) -> None:
        core, settings = self.core, self.settings
        me = await bot.me()
        assert core.default_line is not None
        entry = EntryPointRef("telegram", f"telegram:{me.id}", f"@{me.username}")
        await ensure_entry_point(entry.channel, entry.key, entry.name, core.default_line)
        self.dispatcher = self.build_dispatcher(entry)
        if settings.telegram_mode == "webhook":
            await self._start_webhook(bot)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
        for chat in await workspace_chats("telegram"):
            await self._offer_commands(bot, int(chat))
        sender = TelegramSender(
            bot,
            core.translator,
            settings,
            entry.key,
            core.connections.fetch_files,
            core.redactor,
            helpers=self.helpers,
        )
        self.helpers.enlist(
            lambda helper, refused: TelegramSender(
                helper,
                core.translator,
                settings,
                None,
                core.connections.fetch_files,
                core.redactor,
                main=sender,
                refused=refused,
            )
        )
        for chat in await workspace_chats("telegram"):
            await self.helpers.check(chat)
        files = TelegramFiles(bot, core.redactor)
        core.connect_customers(CustomerPorts("telegram", entry.key, sender, files))
        # Any line may live in a forum of this bot's: the configured one, or one added with
        # `relaydesk lines add`.
        core.connect_workspace(
            WorkspacePorts(
                "telegram",
                sender,
                TelegramMembers(bot, core.redactor),
                files,
                me.username,
                typing=TelegramTyping(bot, core.redactor),
            )
        )
        log.info(
            "Telegram bot @%s serves customers (operators' chat: %s) in %s mode",
            me.username,
            settings.telegram_operator_chat_id,
            settings.telegram_mode,
        )

    async def _offer_commands(self, bot: Bot, chat_id: int) -> None:
        """The core's commands in the group's "/" menu, described in each language."""
        translator = self.core.translator
        scope = BotCommandScopeChat(chat_id=chat_id)
        for lang in LANGUAGES:
            commands = [
                BotCommand(command=c.name, description=translator.gettext(lang, c.help)[:256])
                for c in self.core.flow.commands
            ]
            code = None if lang == self.settings.operator_language else lang
            try:
                await bot.set_my_commands(commands, scope=scope, language_code=code)
            except TelegramAPIError as error:
                log.warning("Could not set the command menu (%s): %s", lang, error)

    def build_dispatcher(self, entry: EntryPointRef) -> Dispatcher:
        core = self.core
        dispatcher = Dispatcher()
        dispatcher.include_router(
            customer_router(
                entry,
                core.inbox,
                core.worker.wake,
                core.translator,
                lambda: core.live_settings.default_language,  # the panel may change it
            )
        )
        dispatcher.include_router(
            workspace_router(
                core.flow,
                core.translator,
                self.settings.operator_language,
                core.deduper,
                core.worker.wake,
            )
        )
        dispatcher.errors.register(self._on_error)
        return dispatcher

    async def _on_error(self, event) -> bool:
        log.error(
            "Update %s failed: %r",
            event.update.update_id,
            event.exception,
            exc_info=event.exception,
        )
        raise event.exception

    async def _poll(self, bot: Bot) -> None:
        """Long polling that confirms an update (by asking past it) only once it is stored:
        a crash or a database hiccup re-reads it, and the core drops the duplicates. While
        getUpdates fails, Telegram is down in `/healthz` and polling backs off."""
        offset: int | None = None
        health = self.core.health
        next_delay = backoff_of(self.settings).delays()
        said: str | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=0 if said else POLL_TIMEOUT,  # after a failure: tell at once
                    allowed_updates=ALLOWED_UPDATES,
                    # The long poll outlasts the session's send timeout: without this every
                    # quiet poll failed with a timeout after 20 s and backed off.
                    request_timeout=int(SEND_TIMEOUT + POLL_TIMEOUT),
                )
            except asyncio.CancelledError:
                raise
            except TelegramRetryAfter as error:
                await asyncio.sleep(error.retry_after)
                continue
            except Exception as error:
                outage = reach.outage(error, self.settings, self.core.redactor)
                if outage is None:
                    log.exception("getUpdates failed unexpectedly")
                    outage = Outage.unexpected(error, self.core.redactor)
                health.down("telegram", outage)
                words = self.core.translator.render("en", outage.text)
                if words != said:
                    log.error("Telegram is down: getUpdates failed: %s Retrying.", words)
                    said = words
                await asyncio.sleep(next_delay(outage))
                continue
            if said is not None:
                log.info("Telegram is back up: getUpdates answers again")
                said, next_delay = None, backoff_of(self.settings).delays()
            health.up("telegram")
            if updates:
                await self._handle_batch(bot, updates)
                offset = updates[-1].update_id + 1

    async def _handle_batch(self, bot: Bot, updates: list[Update]) -> None:
        """A conversation's updates in the order they came, different ones side by side: a
        customer waits for no one else's messages to be stored, and an operator's answer in
        one topic for none in another topic of the group; each chat's or topic's order is
        kept."""
        by_chat: dict[tuple[int, int | None] | None, list[Update]] = {}
        for update in updates:
            by_chat.setdefault(_conversation_of(update), []).append(update)

        async def in_order(chat_updates: list[Update]) -> None:
            for update in chat_updates:
                await self._handle(bot, update)

        await asyncio.gather(*(in_order(chat_updates) for chat_updates in by_chat.values()))

    async def _handle(self, bot: Bot, update: Update) -> None:
        assert self.dispatcher is not None
        for attempt in range(1, UPDATE_ATTEMPTS + 1):
            try:
                await self.dispatcher.feed_update(bot, update)
                return
            except Exception:
                if attempt == UPDATE_ATTEMPTS:
                    log.error("Update %s dropped after %d failures", update.update_id, attempt)
                    return
                await asyncio.sleep(min(10.0, 0.2 * 2**attempt))

    def install(self, app: web.Application) -> None:
        """Routes are fixed before the server starts; the webhook answers 404 until it runs."""
        app.router.add_post(WEBHOOK_PATH, self._on_webhook)

    async def _on_webhook(self, request: web.Request) -> web.StreamResponse:
        """200 only once the update is stored; Telegram sends it again after anything else.
        The secret is checked before the body is even parsed: a stranger's request costs a
        comparison and a log line, and a bad body gets 400 or 413, never a traceback."""
        if self._webhook_secret is None or self.bot is None or self.dispatcher is None:
            raise web.HTTPNotFound(text="Telegram webhook is not enabled")
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), self._webhook_secret.encode()
        ):
            log.warning("Webhook call from %s with a wrong secret refused", request.remote)
            raise web.HTTPUnauthorized(text="wrong secret token")
        raw = await read_body(request)
        try:
            update = Update.model_validate(parse_json_object(raw), context={"bot": self.bot})
        except (BadBody, ValidationError, RecursionError) as error:
            log.warning("Malformed webhook body from %s: %s", request.remote, str(error)[:200])
            raise web.HTTPBadRequest(text="malformed update") from None
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            log.exception("Update %s failed; Telegram will send it again", update.update_id)
            raise web.HTTPInternalServerError(text="try again later") from None
        return web.Response(text="ok")

    async def _start_webhook(self, bot: Bot) -> None:
        assert self.dispatcher is not None
        url = self.settings.telegram_webhook_url
        assert url, "start() checks the webhook URL"
        secret = webhook_secret(self.settings)
        self.core.redactor.remember([secret])
        self._webhook_secret = secret
        await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def stop(self) -> None:
        if self._running is not None:
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running
        if self.bot is not None:
            await asyncio.gather(self.bot.session.close(), self.helpers.close())


def create_bridge() -> TelegramBridge:
    return TelegramBridge()


def _conversation_of(update: Update) -> tuple[int, int | None] | None:
    """Where an update happened: its chat, and its forum topic when it is in one (a topic is
    a conversation of its own; the rest of a group, General included, is one order). None:
    not in a chat, handled in the common order."""
    message = update.message or update.edited_message
    if message is None and update.callback_query is not None:
        message = update.callback_query.message  # type: ignore[assignment]
    if message is None:
        return None
    topic = message.message_thread_id if getattr(message, "is_topic_message", None) else None
    return message.chat.id, topic
