"""What the desk says to a web chat visitor: an operator's answer, an edit or a deletion of
it, the desk's words (a greeting, the closing message) and questions with buttons (the
rating). Each is a line of the visitor's transcript first, then shown in every window the
visitor has open; with none open it is delivered all the same and shown at the next
connect. It is a `CustomerSender`, so answers go through the outbox like Telegram's."""

from __future__ import annotations

from bot.base.cards import Card
from bot.base.i18n import Text, Translator, _
from bot.base.ports import Bucket, CustomerTarget, Outgoing, SendResult
from bot.webchat import CHANNEL
from bot.webchat.transcript import VisitorPush, add, change, shape
from storage.models import Message, Operator, WebchatItem

# Lines a second into one visitor's windows: far above any conversation's pace.
PER_SECOND = 20
FILE = _("(a file: files are not shown in the web chat yet)")


def entry_point_id(chat: str) -> int:
    return int(chat.partition(":")[0])


class WebchatCustomerSender:
    channel = CHANNEL

    def __init__(self, push: VisitorPush, translator: Translator) -> None:
        self._push = push
        self._translator = translator

    def buckets(self, chat: str, posts: bool) -> list[Bucket]:
        return [Bucket(f"webchat:{chat}", PER_SECOND, 1.0)]

    async def relay(self, target: CustomerTarget, messages: list[Outgoing]) -> SendResult:
        ids = []
        for outgoing in messages:
            text, author = await self._words(target, outgoing)
            item = await add(
                entry_point_id(target.chat),
                target.chat,
                "out",
                text,
                author=author,
                message_id=outgoing.message_id,
            )
            self._show(target, item)
            ids.append(f"w{item.id}")
        return SendResult(ids)

    async def edit(self, target: CustomerTarget, external_id: str, message: Outgoing) -> None:
        item = await self._item(target, external_id)
        if item is not None:
            text, _author = await self._words(target, message)
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

    async def _words(self, target: CustomerTarget, outgoing: Outgoing) -> tuple[str, str | None]:
        message = await Message.get(id=outgoing.message_id)
        author_id = message.author_operator_id  # type: ignore[attr-defined]
        author = await Operator.get_or_none(id=author_id) if author_id else None
        text = outgoing.text
        if outgoing.kind != "text":
            note = self._translator.render(target.language, Text(FILE))
            text = f"{text}\n{note}" if text else note
        return text or "", author.name if author else None

    async def _item(self, target: CustomerTarget, external_id: str) -> WebchatItem | None:
        number = external_id.removeprefix("w")
        if not number.isdigit():
            return None
        return await WebchatItem.get_or_none(id=int(number), visitor=target.chat)

    def _show(self, target: CustomerTarget, item: WebchatItem) -> None:
        self._push.push(target.chat, shape(item))
