"""The operators' forum supergroup: topic messages, edits, commands and card buttons."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.base.cards import decode_button
from bot.base.dedupe import Deduper
from bot.base.events import CommandCall, OperatorRef, ThreadRef, WorkspaceEdit, WorkspaceMessage
from bot.base.i18n import Text, Translator, _
from bot.conversations.workspace_flow import WorkspaceFlow
from bridges.telegram.answers import answer_press
from bridges.telegram.chat_filters import GROUPS, in_group, pressed
from bridges.telegram.convert import display_name
from bridges.telegram.customer_router import body_of

log = logging.getLogger(__name__)


def _author(message: Message | CallbackQuery) -> OperatorRef:
    user = message.from_user
    assert user is not None
    return OperatorRef("telegram", str(user.id), display_name(user), user.username)


def _place(message: Message) -> ThreadRef:
    thread = message.message_thread_id if message.is_topic_message else None
    return ThreadRef("telegram", str(message.chat.id), str(thread) if thread else None)


def workspace_router(
    flow: WorkspaceFlow,
    translator: Translator,
    language: str,
    deduper: Deduper,
    wake: Callable[[], None],
) -> Router:
    """Every group the bot is in: the flow knows which of them are lines' forums and ignores
    the rest (and people who are not members of the line's forum)."""
    router = Router(name="telegram-workspace")
    router.message.filter(in_group)
    router.edited_message.filter(in_group)

    def from_person(message: Message) -> bool:
        return message.from_user is not None and not message.from_user.is_bot

    @router.message()
    async def on_message(message: Message) -> None:
        body = body_of(message)
        if body is None or not from_person(message):
            return  # service messages (topic created, member joined), other bots, channels
        await flow.accept_message(
            WorkspaceMessage(
                place=_place(message),
                author=_author(message),
                external_id=str(message.message_id),
                body=body,
                album_key=f"ws:{message.chat.id}:{message.media_group_id}"
                if message.media_group_id
                else None,
                reply_to_external_id=_reply_to(message),
            )
        )
        wake()

    @router.edited_message()
    async def on_edit(message: Message) -> None:
        body = body_of(message)
        if body is None or not from_person(message):
            return
        key = f"tg-edit:{message.chat.id}:{message.message_id}:{message.edit_date}"
        if not await deduper.first_time(key):
            return
        await flow.accept_edit(
            WorkspaceEdit(_place(message), _author(message), str(message.message_id), body)
        )
        wake()

    @router.callback_query(pressed("rd:"))
    async def on_button(query: CallbackQuery) -> None:
        decoded = decode_button(query.data or "")
        message = query.message
        if decoded is None or not isinstance(message, Message) or message.chat.type not in GROUPS:
            log.warning("Ignored a malformed or foreign button press from %s", query.from_user.id)
            await answer_press(
                query, translator.render(language, Text(_("This button is no longer valid.")))
            )
            return
        if not await deduper.first_time(f"tg-cb:{query.id}"):
            return
        reply = await flow.run_command(
            CommandCall(
                place=_place(message),
                author=_author(query),
                name=decoded.command,
                args=decoded.arg,
                conversation_id=decoded.conversation_id,
                from_button=True,
            )
        )
        wake()
        if reply is None:
            text = Text(_("Only operators of this line can do that."))
            await answer_press(query, translator.render(language, text), show_alert=True)
            return
        await answer_press(query, translator.render(language, reply.text), show_alert=not reply.ok)

    return router


def _reply_to(message: Message) -> str | None:
    replied = message.reply_to_message
    if replied is None:
        return None
    # In a topic every message "replies" to the topic's creation message; that is no reply.
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    return str(replied.message_id)
