"""What both transports do (the WebSocket and the long poll): open a visitor's window with
its history, take a message under the rate limits, press a question's button. Thin: the
words go to the core (`bot/webchat/visitors`), the lines come from its transcript."""

from __future__ import annotations

import re
from typing import Any

from bot.attachments.kinds import FileRefused, accepted_type
from bot.base.i18n import LANGUAGES, Text
from bot.base.ports import FileData
from bot.conversations.typing import CustomerTyping
from bot.core import Core
from bot.webchat import CHANNEL, prechat, tokens, transcript, visitors
from bot.webchat.tokens import Visitor
from bridges.webchat.access import Refused
from bridges.webchat.hub import Hub
from bridges.webchat.limits import Limits
from storage.models import WebchatEntryPoint

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,40}")
LANGUAGE = re.compile(r"[a-z]{2}")


def look(webchat: WebchatEntryPoint) -> dict[str, Any]:
    return {"title": webchat.title, "color": webchat.color, "position": webchat.position}


def language_of(value: Any) -> str | None:
    return value if isinstance(value, str) and LANGUAGE.fullmatch(value) else None


def whole(value: Any, low: int = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < 2**53:
        return None
    return value


class Chats:
    def __init__(self, core: Core, hub: Hub) -> None:
        self._core = core
        self._hub = hub
        self._limits = Limits(core.clock.monotonic)
        self._typing = CustomerTyping(core.connections, core.clock)
        secret = core.settings.webchat_secret
        self._server_secret = secret.get_secret_value() if secret else None

    def _key(self, webchat: WebchatEntryPoint) -> bytes:
        return tokens.signing_key(webchat.visitor_secret, self._server_secret)

    def visitor(self, webchat: WebchatEntryPoint, token: Any) -> Visitor:
        found = tokens.verify(token, webchat.entry_point_id, self._key(webchat))  # type: ignore[attr-defined]
        if found is None:
            raise Refused(
                401, "bad_token", "This visitor token is not valid here; start without one."
            )
        return found

    def admit(self, webchat: WebchatEntryPoint, token: Any) -> tuple[Visitor, str]:
        """A returning visitor (their token), or a new one: a new token, and nothing stored
        until they write."""
        if token is None:
            return tokens.new_visitor(webchat.entry_point_id, self._key(webchat))  # type: ignore[attr-defined]
        return self.visitor(webchat, token), token

    async def history(self, visitor: Visitor, after: Any) -> list[dict[str, Any]]:
        """What the visitor's window has not shown yet (after the line it shows last)."""
        hours = self._core.settings.file_link_hours
        return await transcript.history(visitor.external_id, whole(after) or 0, hours)

    async def _asked(self, webchat: WebchatEntryPoint, visitor: Visitor) -> prechat.Asked:
        core = self._core
        return await prechat.asked(
            webchat, visitor.external_id, core.clock.now(), core.settings.timezone
        )

    async def welcome(
        self, webchat: WebchatEntryPoint, visitor: Visitor, token: str, after: Any
    ) -> dict[str, Any]:
        """The lines not shown yet, the form the visitor is asked and whether the team is
        away now (read at every connect: a reconnect after the hours end shows it)."""
        items = await self.history(visitor, after)
        asked = await self._asked(webchat, visitor)
        return {
            "type": "welcome",
            "token": token,
            "look": look(webchat),
            "items": items,
            "read": await transcript.read_upto(visitor.external_id),
            **asked.shape(),
        }

    def _words(self, language: str | None, text: Text) -> str:
        core = self._core
        wanted = language if language in LANGUAGES else core.live_settings.default_language
        return core.translator.render(wanted, text)

    async def _given(
        self,
        webchat: WebchatEntryPoint,
        visitor: Visitor,
        body: dict[str, Any],
        language: str | None,
    ) -> tuple[prechat.Given, str | None]:
        """The form's values of a message, checked as the visitor's form asks; and the name
        the desk knows the visitor by."""
        asked = await self._asked(webchat, visitor)
        try:
            given = prechat.check(asked.form, body)
        except prechat.FormRefused as refused:
            raise Refused(
                400, refused.code, self._words(language, refused.text), refused.field
            ) from None
        return given, asked.known_as

    async def typing(self, visitor: Visitor) -> dict[str, Any]:
        await self._typing.customer_typing(CHANNEL, visitor.external_id)
        return {"type": "typing"}

    async def say(
        self,
        webchat: WebchatEntryPoint,
        visitor: Visitor,
        body: dict[str, Any],
        address: str,
        language: str | None,
    ) -> dict[str, Any]:
        text, client_id = body.get("text"), body.get("id")
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            raise Refused(400, "bad_message", "id: 8 to 40 letters, digits, - or _.")
        if not isinstance(text, str) or not text.strip() or "\x00" in text:
            raise Refused(400, "bad_message", "text: say something.")
        if len(text) > visitors.MAX_TEXT:
            raise Refused(400, "too_long", f"text: at most {visitors.MAX_TEXT} characters.")
        given, known_as = await self._given(webchat, visitor, body, language)
        self._count(visitor, address)
        said = await visitors.say(
            self._core.inbox,
            self._hub,
            webchat.entry_point,
            visitor,
            text,
            client_id,
            language,
            given,
            known_as,
        )
        self._core.worker.wake()
        if said.refused:
            raise Refused(403, said.refused, "This conversation is closed to new messages.")
        return {"type": "sent", "id": client_id, "item": said.item}

    def _count(self, visitor: Visitor, address: str) -> None:
        """One more message under the rate limits, or a refusal that says how long to wait."""
        settings = self._core.settings
        wait = self._limits.wait(
            (f"v:{visitor.external_id}", settings.webchat_visitor_per_minute),
            (f"a:{address}", settings.webchat_address_per_minute),
        )
        if wait:
            raise Refused(429, "rate_limited", f"Too many messages; wait {wait} s.")

    async def send_file(
        self,
        webchat: WebchatEntryPoint,
        visitor: Visitor,
        fields: dict[str, Any],
        file: FileData,
        address: str,
        language: str | None,
    ) -> dict[str, Any]:
        """A file from the visitor's window (`bridges/webchat/uploads`): a message like a
        text, with the same form values and under the same limits, once its kind and size
        are allowed."""
        client_id = fields.get("id")
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            raise Refused(400, "bad_message", "id: 8 to 40 letters, digits, - or _.")
        caption = (fields.get("text") or "").strip() or None
        if caption is not None and (len(caption) > visitors.MAX_TEXT or "\x00" in caption):
            raise Refused(400, "too_long", f"text: at most {visitors.MAX_TEXT} characters.")
        settings = self._core.settings
        try:
            mime = accepted_type(file.name, file.data, settings.webchat_max_file_bytes)
        except FileRefused as error:
            status = 413 if error.code == "file_too_big" else 415
            raise Refused(status, error.code, error.message) from None
        given, known_as = await self._given(webchat, visitor, fields, language)
        self._count(visitor, address)
        said = await visitors.send_file(
            self._core.inbox,
            self._hub,
            webchat.entry_point,
            visitor,
            FileData(file.name, mime, file.data),
            caption,
            client_id,
            language,
            given,
            known_as,
            settings.file_link_hours,
        )
        self._core.worker.wake()
        if said.refused:
            raise Refused(403, said.refused, "This conversation is closed to new messages.")
        return {"type": "sent", "id": client_id, "item": said.item}

    async def choose(self, visitor: Visitor, body: dict[str, Any]) -> dict[str, Any]:
        item, choice = whole(body.get("item"), 1), whole(body.get("choice"))
        if item is None or choice is None:
            raise Refused(400, "bad_choice", "item and choice: whole numbers.")
        chosen = await visitors.choose(self._core.inbox, self._hub, visitor, item, choice)
        self._core.worker.wake()
        return {"type": "chosen", "item": item, "ok": chosen}
