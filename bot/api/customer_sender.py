"""What the desk says to an API contact, as events POSTed to their entry point's webhook:
an operator's answer, an edit or a deletion of it, the desk's own words (a greeting, the
closing message) and questions (the rating, asked in words: the API has no buttons).

It is a `CustomerSender` like Telegram's, so an answer is a customer delivery: retried with
back-off, marked dead after RELAYDESK_MAX_ATTEMPTS, and then shown to the operators in the
thread. Without a webhook nothing is POSTed and the system reads the conversation's
messages with GET. An operator's file is read from the workspace once and kept
(`bot/attachments`); the event lists it in `attachments` with a signed, expiring link."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot.api.files import FileLinks
from bot.api.shapes import contact_shape, conversation_shape, message_shape
from bot.api.webhook_calls import call_for_key, new_event
from bot.attachments.store import kept_for
from bot.base.cards import Card
from bot.base.clock import Clock
from bot.base.i18n import Text, Translator
from bot.base.ports import (
    Bucket,
    CustomerTarget,
    FileData,
    Outgoing,
    SendResult,
    WebhookPoster,
)
from storage.models import Conversation, Identity, Message, Operator

CHANNEL = "api"
# Calls a second into one contact's webhook: far above any conversation's pace.
PER_SECOND = 20


class WebhookCustomerSender:
    channel = CHANNEL

    def __init__(
        self,
        poster: WebhookPoster,
        translator: Translator,
        clock: Clock,
        fetch: Callable[[Outgoing], Awaitable[list[FileData]]],
        links: FileLinks,
    ) -> None:
        self._poster = poster
        self._translator = translator
        self._clock = clock
        self._fetch = fetch
        self._links = links

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        return [Bucket(f"api:{chat}", PER_SECOND, 1.0)]

    async def relay(self, target: CustomerTarget, messages: list[Outgoing]) -> SendResult:
        ids = []
        for outgoing in messages:
            message = await Message.get(id=outgoing.message_id)
            # Its files (if any) are read once, before the event links them.
            await kept_for(outgoing, self._fetch)
            shape = await self._message(message, target.chat)
            await self._post(target, "message.created", shape, message)
            ids.append(f"m{message.id}")
        return SendResult(ids)

    async def edit(self, target: CustomerTarget, external_id: str, message: Outgoing) -> None:
        stored = await Message.get(id=message.message_id)
        shape = await self._message(stored, target.chat)
        await self._post(target, "message.updated", shape, stored, suffix=str(stored.edited_at))

    async def delete(self, target: CustomerTarget, external_id: str) -> None:
        message_id = int(external_id.removeprefix("m"))
        stored = await Message.get_or_none(id=message_id)
        await self._post(target, "message.deleted", {"id": message_id}, stored)

    async def notice(self, target: CustomerTarget, text: Text) -> str:
        return await self._words(target, "notice", self._translator.render(target.language, text))

    async def ask(self, target: CustomerTarget, card: Card, fallback: Text) -> str:
        words = self._translator.render(target.language, fallback)
        return await self._words(target, "question", words)

    async def _words(self, target: CustomerTarget, kind: str, text: str) -> str:
        external_id = f"n{uuid.uuid4().hex[:16]}"
        shape = {
            "id": None,
            "direction": "out",
            "kind": kind,
            "text": text,
            "author": {"type": "desk", "name": None},
            "created_at": None,
            "attachments": [],
        }
        await self._post(target, "message.created", shape, None, event_id=f"evt_{external_id}")
        return external_id

    async def _message(self, message: Message, contact: str) -> dict[str, Any]:
        author_id = message.author_operator_id  # type: ignore[attr-defined]
        author = await Operator.get_or_none(id=author_id) if author_id else None
        files = await self._links.of_messages([message.id], contact)
        return message_shape(message, author, "", files.get(message.id))

    async def _post(
        self,
        target: CustomerTarget,
        event_type: str,
        shape: dict[str, Any],
        message: Message | None,
        *,
        suffix: str = "",
        event_id: str | None = None,
    ) -> None:
        identity = await Identity.get(channel=CHANNEL, external_id=target.chat)
        if message is not None:
            conversation = await Conversation.get(id=message.conversation_id)  # type: ignore[attr-defined]
            stable = hashlib.sha256(f"{event_type}:{message.id}:{suffix}".encode()).hexdigest()
            event_id = event_id or f"evt_{stable[:24]}"
        else:
            conversation = (
                await Conversation.filter(identity_id=identity.id).order_by("-id").first()
            )
        assignee_id = conversation.assignee_id if conversation else None  # type: ignore[attr-defined]
        assignee = await Operator.get_or_none(id=assignee_id) if assignee_id else None
        event = new_event(
            event_type,
            self._clock.now(),
            id=event_id,
            conversation=conversation_shape(conversation, assignee) if conversation else None,
            contact=contact_shape(identity),
            message=shape,
        )
        call = await call_for_key(target.entry_point_key, event, self._clock.now())
        if call is not None:
            await self._poster.post(call)
