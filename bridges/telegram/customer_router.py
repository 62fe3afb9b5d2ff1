"""Private chats with the bot: customers' messages and edits -> the core inbox."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.base.cards import decode_button
from bot.base.events import CustomerRef, EntryPointRef, InboundEdit, InboundMessage, MessageBody
from bot.base.i18n import Text, Translator, _, pick_language
from bot.conversations.inbox import Inbox
from bridges.telegram.answers import answer_press
from bridges.telegram.chat_filters import in_private_chat, pressed
from bridges.telegram.convert import body_content, display_name, kind_of, text_of

log = logging.getLogger(__name__)


def body_of(message: Message) -> MessageBody | None:
    kind = kind_of(message)
    if kind is None:
        return None
    return MessageBody(kind=kind, text=text_of(message), content=body_content(message))


def customer_router(
    entry_point: EntryPointRef,
    inbox: Inbox,
    wake,
    translator: Translator,
    fallback: Callable[[], str],
) -> Router:
    router = Router(name="telegram-customers")
    router.message.filter(in_private_chat)
    router.edited_message.filter(in_private_chat)

    @router.callback_query(pressed("rd:csat:", in_private=True))
    async def on_rating(query: CallbackQuery) -> None:
        """The customer's 1–5 buttons under the rating question."""
        press = decode_button(query.data or "")
        language = pick_language(query.from_user.language_code, fallback())
        score = int(press.arg) if press and press.arg.isdigit() else 0
        rated = press is not None and await inbox.accept_rating(
            "telegram", str(query.from_user.id), press.conversation_id, score
        )
        wake()
        text = _("Thank you!") if rated else _("This rating was already given.")
        await answer_press(query, translator.render(language, Text(text)))

    @router.message()
    async def on_message(message: Message) -> None:
        user = message.from_user
        body = body_of(message)
        if user is None or user.is_bot or body is None:
            log.debug("Skipped private message %s (%s)", message.message_id, message.content_type)
            return
        inbound = InboundMessage(
            entry_point=entry_point,
            customer=CustomerRef(
                channel="telegram",
                external_id=str(user.id),
                display_name=display_name(user),
                username=user.username,
                language=user.language_code,
            ),
            chat=str(message.chat.id),
            external_id=str(message.message_id),
            body=body,
            album_key=f"{entry_point.key}:{message.chat.id}:{message.media_group_id}"
            if message.media_group_id
            else None,
            reply_to_external_id=str(message.reply_to_message.message_id)
            if message.reply_to_message
            else None,
        )
        await inbox.accept(inbound)
        wake()

    @router.edited_message()
    async def on_edit(message: Message) -> None:
        body = body_of(message)
        if body is None:
            return
        edit = InboundEdit(entry_point, str(message.chat.id), str(message.message_id), body)
        if await inbox.accept_edit(edit):
            wake()

    return router
