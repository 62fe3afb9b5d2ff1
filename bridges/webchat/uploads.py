"""A visitor's file, `POST /webchat/files?key=<public key>`: a multipart form with the
visitor's `token`, the message's `id`, the page's `language`, an optional `text` (the
caption), the form's `name` and `email` when the visitor is asked a form (as a text's) and
the `file`. The origin is checked as on every web chat route; the answer is
the `sent` of a message (its line, with a link to the file), and the WebSocket shows the
line in the visitor's other windows. A file over RELAYDESK_WEBCHAT_MAX_FILE_BYTES is refused
while it is read: nothing of it is stored."""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web

from bot.attachments.kinds import clean_name
from bot.base.ports import FileData
from bridges.webchat.access import Refused, cors_headers, entry_point_of, refusal
from bridges.webchat.chats import Chats, language_of
from storage.models import WebchatEntryPoint

# token, id, language, name, email, caption (4096 characters of up to 4 bytes)
FIELD_BYTES = 16 * 1024
FIELDS = ("token", "id", "language", "text", "name", "email")
FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and the small fields around the file
CHUNK = 64 * 1024


def _too_big(limit: int) -> Refused:
    megabytes = max(1, limit // (1024 * 1024))
    return Refused(413, "file_too_big", f"The file is larger than {megabytes} MB.")


async def _read_part(part: BodyPartReader, limit: int, refusal: Refused) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > limit:
            raise refusal
    return bytes(data)


class Uploads:
    def __init__(self, chats: Chats, max_bytes: int) -> None:
        self._chats = chats
        self._max = max_bytes

    async def upload(self, request: web.Request) -> web.Response:
        origin = request.headers.get("Origin")
        try:
            webchat, origin = await entry_point_of(request)
            fields, file = await self._form(request, webchat)
            visitor = self._chats.visitor(webchat, fields.get("token"))
            answer = await self._chats.send_file(
                webchat,
                visitor,
                fields,
                file,
                request.remote or "",
                language_of(fields.get("language")),
            )
        except Refused as error:
            return refusal(error, origin)
        return web.json_response(answer, headers=cors_headers(origin))

    async def _form(
        self, request: web.Request, webchat: WebchatEntryPoint
    ) -> tuple[dict[str, Any], FileData]:
        """The form's fields and file; a token sent before the file (as the widget sends
        it) is checked before the file is read."""
        if request.content_type != "multipart/form-data":
            raise Refused(415, "bad_body", "Send the file as multipart/form-data.")
        if (request.content_length or 0) > self._max + FORM_OVERHEAD:
            raise _too_big(self._max)
        fields: dict[str, Any] = {}
        file: FileData | None = None
        bad = Refused(
            400, "bad_body", "The fields are token, id, language, text, name, email and file."
        )
        try:
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    raise bad
                if part.name == "file" and file is None:
                    if "token" in fields:
                        self._chats.visitor(webchat, fields["token"])
                    data = await _read_part(part, self._max, _too_big(self._max))
                    mime = part.headers.get("Content-Type", "application/octet-stream")
                    file = FileData(clean_name(part.filename), mime, data)
                elif part.name in FIELDS and part.name not in fields:
                    raw = await _read_part(part, FIELD_BYTES, bad)
                    fields[part.name] = raw.decode("utf-8", errors="replace")
                else:
                    raise bad
        except (ValueError, AssertionError):  # a malformed multipart body
            raise bad from None
        if file is None:
            raise Refused(400, "bad_body", "file: choose a file to send.")
        return fields, file
