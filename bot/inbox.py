"""Customer -> operators: store an inbound message and queue it for the line's workspace."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.events import InboundEdit, InboundMessage
from bot.i18n import Text, _
from bot.links import apply_edit, customer_chat_key, find_link
from bot.locks import KeyedLock
from bot.outbox.queue import Outbox
from storage.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    EntryPoint,
    Identity,
    Message,
    MessageLink,
    Thread,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    message_id: int | None
    conversation_id: int | None
    duplicate: bool = False
    new_conversation: bool = False


class UnknownEntryPoint(LookupError):
    """A message came through an entry point the database does not know."""


class Inbox:
    def __init__(self, *, outbox: Outbox, locks: KeyedLock, clock: Clock, album_wait: float):
        self._outbox = outbox
        self._locks = locks
        self._clock = clock
        self._album_wait = album_wait

    async def accept(self, inbound: InboundMessage) -> Accepted:
        """Store and queue `inbound` exactly once, however often and concurrently it arrives."""
        identity_key = f"identity:{inbound.customer.channel}:{inbound.customer.external_id}"
        for attempt in range(3):
            try:
                async with self._locks(identity_key):
                    return await self._accept(inbound)
            except IntegrityError:
                if await Message.exists(source_key=inbound.source_key):
                    log.info("Duplicate customer message %s dropped", inbound.source_key)
                    return Accepted(None, None, duplicate=True)
                if attempt == 2:
                    raise
                log.info("Concurrent first messages of %s: retrying", identity_key)
        raise AssertionError("unreachable")

    async def _accept(self, inbound: InboundMessage) -> Accepted:
        entry_point = await EntryPoint.get_or_none(key=inbound.entry_point.key)
        if entry_point is None:
            raise UnknownEntryPoint(inbound.entry_point.key)
        if await Message.exists(source_key=inbound.source_key):
            return Accepted(None, None, duplicate=True)
        now = self._clock.now()
        async with in_transaction():
            identity = await self._identity(inbound)
            contact = await identity.contact
            if contact.banned:
                log.info("Message from banned contact %s ignored", contact.id)
                return Accepted(None, None)
            conversation = await Conversation.get_or_none(open_key=contact.id)
            is_new = conversation is None
            if conversation is None:
                conversation = await self._open_conversation(contact, identity, entry_point)
            conversation.last_customer_message_at = now
            await conversation.save(update_fields=["last_customer_message_at"])
            reply_to = None
            if inbound.reply_to_external_id:
                chat_key = customer_chat_key(entry_point.key, inbound.chat)
                link = await find_link(chat_key, inbound.reply_to_external_id)
                reply_to = link.message_id if link else None  # type: ignore[attr-defined]
            message = await Message.create(
                conversation=conversation,
                direction=Direction.IN,
                kind=inbound.body.kind,
                text=inbound.body.text,
                content=inbound.body.content,
                source_key=inbound.source_key,
                album_key=inbound.album_key,
                reply_to_id=reply_to,
            )
            await MessageLink.create(
                message=message,
                chat=customer_chat_key(entry_point.key, inbound.chat),
                external_id=inbound.external_id,
            )
            await self._outbox.to_thread(
                await conversation.thread,
                "relay",
                conversation,
                message=message,
                group_key=inbound.album_key,
                delay=self._album_wait if inbound.album_key else 0.0,
            )
        return Accepted(message.id, conversation.id, new_conversation=is_new)

    async def _identity(self, inbound: InboundMessage) -> Identity:
        ref = inbound.customer
        identity = await Identity.get_or_none(channel=ref.channel, external_id=ref.external_id)
        if identity is None:
            contact = await Contact.create(name=ref.display_name, language=ref.language)
            return await Identity.create(
                contact=contact,
                channel=ref.channel,
                external_id=ref.external_id,
                username=ref.username,
                display_name=ref.display_name,
                language=ref.language,
            )
        changed = (identity.username, identity.display_name, identity.language) != (
            ref.username,
            ref.display_name,
            ref.language,
        )
        if changed or identity.blocked_at:
            identity.username = ref.username
            identity.display_name = ref.display_name
            identity.language = ref.language or identity.language
            identity.blocked_at = None
            await identity.save()
        return identity

    async def _open_conversation(
        self, contact: Contact, identity: Identity, entry_point: EntryPoint
    ) -> Conversation:
        line = await entry_point.line
        thread, created = await Thread.get_or_create(
            contact=contact,
            line=line,
            defaults={"workspace_kind": line.workspace_kind, "workspace_chat": line.workspace_chat},
        )
        conversation = await Conversation.create(
            contact=contact,
            identity=identity,
            entry_point=entry_point,
            line=line,
            thread=thread,
            status=ConversationStatus.QUEUED,
            open_key=contact.id,
        )
        if not created:
            await self._outbox.notice_thread(
                thread,
                conversation,
                Text(_("──── New conversation #{number} ────"), number=conversation.number),
            )
            await self._outbox.to_thread(thread, "state", conversation)
            await self._outbox.to_thread(thread, "card.post", conversation)
        return conversation

    async def accept_edit(self, edit: InboundEdit) -> bool:
        """Propagate a customer's edit; False when the original is unknown (never relayed)."""
        chat_key = customer_chat_key(edit.entry_point.key, edit.chat)
        link = await find_link(chat_key, edit.external_id)
        if link is None:
            log.info(
                "Edit of unknown customer message %s in %s ignored", edit.external_id, chat_key
            )
            return False
        async with in_transaction():
            message = await apply_edit(link, edit.body, self._clock.now())
            conversation = await message.conversation
            await self._outbox.to_thread(
                await conversation.thread, "edit", conversation, message=message
            )
        return True
