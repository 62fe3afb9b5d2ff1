"""What the desk says to a web chat visitor: an operator's answer (with its files), an edit
or a deletion of it, the desk's words (a greeting, the closing message) and questions with
buttons (the rating). Each is a line of the visitor's transcript first, then shown in every
window the visitor has open; with none open it is delivered all the same and shown at the
next connect. It is a `CustomerSender`, so answers go through the outbox like Telegram's.
An operator's file is read from the workspace once and kept (`bot/attachments`): the
visitor's window gets a link that only it can use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.attachments.store import kept_for
from bot.base.cards import Card
from bot.base.i18n import Text, Translator, _
from bot.base.ports import Bucket, CustomerTarget, FileData, Outgoing, SendResult
from bot.webchat import CHANNEL
from bot.webchat.transcript import LINK_HOURS, VisitorPush, add, change, shape, window_file
from storage.models import Message, Operator, WebchatItem

# Lines a second into one visitor's windows: far above any conversation's pace.
PER_SECOND = 20
UNSHOWN = _("(a message of a kind the web chat does not show)")

FetchFiles = Callable[[Outgoing], Awaitable[list[FileData]]]


def entry_point_id(chat: str) -> int:
    return int(chat.partition(":")[0])


class WebchatCustomerSender:
    channel = CHANNEL

    def __init__(
        self,
        push: VisitorPush,
        translator: Translator,
        fetch: FetchFiles,
        link_hours: float = LINK_HOURS,
    ) -> None:
        self._push = push
        self._translator = translator
        self._fetch = fetch
        self._hours = link_hours

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        return [Bucket(f"webchat:{chat}", PER_SECOND, 1.0)]

    async def relay(self, target: CustomerTarget, messages: list[Outgoing]) -> SendResult:
        ids = []
        for outgoing in messages:
            files = await self._files(outgoing)
            text, author = await self._words(target, outgoing, bool(files))
            item = await add(
                entry_point_id(target.chat),
                target.chat,
                "out",
                text,
                author=author,
                message_id=outgoing.message_id,
                files=files or None,
            )
            self._show(target, item)
            ids.append(f"w{item.id}")
        return SendResult(ids)

    async def edit(self, target: CustomerTarget, external_id: str, message: Outgoing) -> None:
        item = await self._item(target, external_id)
        if item is not None:
            text, _author = await self._words(target, message, bool(item.files))
            self._show(target, await change(item, text=text))

    async def delete(self, target: CustomerTarget, external_id: str) -> None:
        item = await self._item(target, external_id)
        if item is not None:
            self._show(target, await change(item, deleted=True))

    async def notice(self, target: CustomerTarget, text: Text) -> str:
        words = self._translator.render(target.language, text)
        item = await add(entry_point_id(target.chat), target.chat, "notice", words)
        self._show(target, item)
        return f"w{item.id}"

    async def ask(self, target: CustomerTarget, card: Card, fallback: Text) -> str:
        render = self._translator.render
        buttons = [
            [render(target.language, b.label), b.command, b.conversation_id, b.arg]
            for b in card.buttons
        ]
        title = render(target.language, card.title)
        item = await add(
            entry_point_id(target.chat), target.chat, "question", title, buttons=buttons
        )
        self._show(target, item)
        return f"w{item.id}"

    async def _files(self, outgoing: Outgoing) -> list[dict[str, Any]]:
        return [window_file(f) for f in await kept_for(outgoing, self._fetch)]

    async def _words(
        self, target: CustomerTarget, outgoing: Outgoing, has_files: bool
    ) -> tuple[str, str | None]:
        """The line's text (a file's caption) and its author; a message with nothing the
        window can show (a location, a sticker) says so."""
        message = await Message.get(id=outgoing.message_id)
        author_id = message.author_operator_id  # type: ignore[attr-defined]
        author = await Operator.get_or_none(id=author_id) if author_id else None
        text = outgoing.text
        if outgoing.kind != "text" and not has_files:
            note = self._translator.render(target.language, Text(UNSHOWN))
            text = f"{text}\n{note}" if text else note
        return text or "", author.name if author else None

    async def _item(self, target: CustomerTarget, external_id: str) -> WebchatItem | None:
        number = external_id.removeprefix("w")
        if not number.isdigit():
            return None
        return await WebchatItem.get_or_none(id=int(number), visitor=target.chat)

    def _show(self, target: CustomerTarget, item: WebchatItem) -> None:
        self._push.push(target.chat, shape(item, self._hours))
