"""Sending deliveries into Slack threads with slack_sdk's AsyncWebClient."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, tzinfo
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot.base.cards import Card
from bot.base.i18n import Text, Translator
from bot.base.ports import (
    Bucket,
    FileData,
    OpenedThread,
    Outgoing,
    PermanentError,
    SendResult,
    ThreadTarget,
)
from bot.base.redact import Redactor
from bridges.slack.errors import call
from bridges.slack.render import card_blocks, card_text, escape, notice_text

log = logging.getLogger(__name__)
T = TypeVar("T")

DELIVERED = "white_check_mark"
NOT_DELIVERED = "x"
CHANNEL_PER_SECOND = 1.0  # chat.postMessage: about one message a second per channel
WORKSPACE_PER_SECOND = 20


class SlackSender:
    kind = "slack"
    card_opens_thread = True

    def __init__(
        self,
        client: AsyncWebClient,
        translator: Translator,
        team: str,
        fetch: Callable[[Outgoing], Awaitable[list[FileData]]],
        redactor: Redactor,
        web_url: str = "https://slack.com",
        zone: tzinfo = UTC,
    ) -> None:
        self._zone = zone  # the times shown in merged messages
        self._redactor = redactor
        self._web_url = web_url.rstrip("/")  # the workspace's own address, from auth.test
        self._client = client
        self._translator = translator
        self._team = team
        self._fetch = fetch

    async def _call(self, request: Awaitable[T], bucket: str) -> T:
        return await call(request, bucket, self._redactor)

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        overall = Bucket(f"slack:{self._team}:all", WORKSPACE_PER_SECOND, 1.0)
        if not posts:
            return [overall]
        return [Bucket(self._bucket(chat), CHANNEL_PER_SECOND, 1.0), overall]

    def helpers(self, chat: str) -> dict[str, SlackSender]:
        """One app posts everything in Slack."""
        return {}

    def _bucket(self, chat: str) -> str:
        return f"slack:{self._team}:chat:{chat}"

    async def _post(self, chat: str, **fields: Any) -> str:
        response = await self._call(
            self._client.chat_postMessage(channel=chat, **fields), self._bucket(chat)
        )
        return str(response["ts"])

    async def open_thread(self, chat: str, title: str, card: Card, language: str) -> OpenedThread:
        ts = await self._post(
            chat,
            text=card_text(card, self._translator, language),
            blocks=card_blocks(card, self._translator, language),
        )
        return OpenedThread(ts, ts)

    async def rename_thread(self, target: ThreadTarget, title: str) -> None:
        """A Slack thread has no title: the parent card shows the state."""

    async def post_card(self, target: ThreadTarget, card: Card) -> str:
        """The parent stays the header: it now shows the new conversation's card."""
        assert target.thread_id
        await self.update_card(target, target.thread_id, card)
        return target.thread_id

    async def show_card(self, target: ThreadTarget, card: Card) -> str:
        """A card in the thread (a choice with buttons), below the messages; one meant for
        one member goes to them alone (ephemeral), or to the thread if Slack refuses that
        (they left the channel)."""
        content = {
            "text": card_text(card, self._translator, target.language),
            "blocks": card_blocks(card, self._translator, target.language),
        }
        if card.only_for:
            try:
                response = await self._call(
                    self._client.chat_postEphemeral(
                        channel=target.chat,
                        user=card.only_for,
                        thread_ts=target.thread_id,
                        **content,
                    ),
                    self._bucket(target.chat),
                )
                return str(response.get("message_ts") or "")
            except PermanentError as error:
                log.info("Ephemeral card refused (%s): shown in the thread", error.detail)
        return await self._post(target.chat, thread_ts=target.thread_id, **content)

    def thread_link(self, chat: str, thread_id: str) -> str | None:
        return f"{self._web_url}/archives/{chat}/p{thread_id.replace('.', '')}"

    async def update_card(self, target: ThreadTarget, external_id: str, card: Card) -> None:
        try:
            await self._call(
                self._client.chat_update(
                    channel=target.chat,
                    ts=external_id,
                    text=card_text(card, self._translator, target.language),
                    blocks=card_blocks(card, self._translator, target.language),
                ),
                self._bucket(target.chat),
            )
        except PermanentError as error:
            if error.detail != "message_not_found":
                raise  # a card deleted by hand is not worth failing the update for

    async def relay(self, target: ThreadTarget, messages: list[Outgoing]) -> SendResult:
        """Text (or caption) as a message, which edits and replies point at; files follow it
        into the thread."""
        result = SendResult()
        for message in messages:
            files = await self._fetch(message)
            text = escape(message.text or "") or (" " if files else f"[{message.kind}]")
            ts = await self._post(target.chat, thread_ts=target.thread_id, text=text)
            result.external_ids.append(ts)
            if files:
                uploads = [{"content": f.data, "filename": f.name, "title": f.name} for f in files]
                await self._call(
                    self._client.files_upload_v2(
                        channel=target.chat, thread_ts=target.thread_id, file_uploads=uploads
                    ),
                    self._bucket(target.chat),
                )
        return result

    async def relay_together(
        self, target: ThreadTarget, messages: list[Outgoing], card: Card | None
    ) -> SendResult:
        """One message of the thread: the texts, each with its time (below `card`, which a
        Slack thread shows as its parent, so it is seldom given here)."""
        fields = self._together(target, messages, card)
        ts = await self._post(target.chat, thread_ts=target.thread_id, **fields)
        return SendResult([ts] * len(messages), ts if card else None)

    async def edit_together(
        self, target: ThreadTarget, external_id: str, messages: list[Outgoing], card: Card | None
    ) -> None:
        fields = self._together(target, messages, card)
        await self._call(
            self._client.chat_update(channel=target.chat, ts=external_id, **fields),
            self._bucket(target.chat),
        )

    def _together(
        self, target: ThreadTarget, messages: list[Outgoing], card: Card | None
    ) -> dict[str, Any]:
        text = "\n\n".join(
            (f"_{m.sent_at.astimezone(self._zone):%H:%M}_  " if m.sent_at else "")
            + escape(m.text or "")
            for m in messages
        )
        if card is None:
            return {"text": text}
        blocks = card_blocks(card, self._translator, target.language)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
        return {"text": card_text(card, self._translator, target.language), "blocks": blocks}

    async def edit(self, target: ThreadTarget, external_id: str, message: Outgoing) -> None:
        await self._call(
            self._client.chat_update(
                channel=target.chat, ts=external_id, text=escape(message.text or "")
            ),
            self._bucket(target.chat),
        )

    async def notice(self, target: ThreadTarget, text: Text) -> str:
        return await self._post(
            target.chat,
            thread_ts=target.thread_id,
            text=notice_text(text, self._translator, target.language),
        )

    async def confirm(self, chat: str, external_id: str, delivered: bool) -> None:
        name = DELIVERED if delivered else NOT_DELIVERED
        try:
            await self._call(
                self._client.reactions_add(channel=chat, timestamp=external_id, name=name),
                self._bucket(chat),
            )
        except PermanentError as error:
            if error.detail != "already_reacted":
                raise
