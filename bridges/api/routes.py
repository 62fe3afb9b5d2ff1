"""The API's handlers: thin, they read the request (`requests`), hand the message to the
core's inbox like Telegram's bridge does, and answer in the shapes of `schemas`. A message's
files (uploaded, or fetched by URL: `fetcher`) are checked and kept before it is taken, and
forgotten again when it is not."""

from __future__ import annotations

import hashlib
import logging

from aiohttp import web

from bot.api import history, idempotency
from bot.api.files import FileLinks
from bot.api.shapes import identity_id
from bot.attachments.kinds import IMAGES, FileRefused, accepted_type
from bot.attachments.store import ATTACHMENTS, attach, forget, keep, listed
from bot.base.events import CustomerRef, EntryPointRef, InboundMessage, MessageBody
from bot.base.ports import FileData
from bot.core import Core
from bridges.api.errors import ApiError
from bridges.api.fetcher import AttachmentFetcher
from bridges.api.limits import RateLimits
from bridges.api.requests import (
    entry_point_of,
    fingerprint,
    idempotency_key,
    json_body,
    message_form,
)
from bridges.api.schemas import MAX_ATTACHMENTS, MessageIn
from storage.models import ApiEntryPoint

log = logging.getLogger(__name__)
MAX_ID = 2**31 - 1


class ApiRoutes:
    def __init__(self, core: Core, links: FileLinks) -> None:
        self._core = core
        self._limits = RateLimits(core.clock.monotonic)
        self._links = links
        settings = core.settings
        self._fetcher = AttachmentFetcher(
            allow_private=settings.webhook_allow_private,
            timeout=settings.webhook_timeout_seconds,
            max_bytes=settings.api_max_file_bytes,
            redactor=core.redactor,
        )

    async def _caller(self, request: web.Request) -> ApiEntryPoint:
        api = await entry_point_of(request)
        wait = self._limits.wait(api.id, api.requests_per_minute)
        if wait:
            raise ApiError(
                429,
                "rate_limited",
                f"More than {api.requests_per_minute} requests a minute with this key.",
                headers={"Retry-After": str(wait)},
            )
        return api

    async def post_message(self, request: web.Request) -> web.Response:
        api = await self._caller(request)
        key = idempotency_key(request)
        settings = self._core.settings
        uploads: list[FileData] = []
        if request.content_type == "multipart/form-data":
            body, parsed, uploads = await message_form(
                request,
                MessageIn,
                settings.api_max_body_bytes,
                settings.api_max_file_bytes,
                MAX_ATTACHMENTS,
            )
        else:
            body, parsed = await json_body(request, MessageIn, settings.api_max_body_bytes)
        print_ = fingerprint(request, parsed)
        ep_id = api.entry_point_id  # type: ignore[attr-defined]
        try:
            answer = await idempotency.earlier(ep_id, key, print_)
            if answer is None:
                answer = await self._accept(api, key, body, uploads, print_)
                answer = await idempotency.remember(ep_id, key, print_, answer)
                replayed = False
            else:
                replayed = True
        except idempotency.KeyReused:
            raise ApiError(
                409,
                "idempotency_key_reused",
                "This Idempotency-Key was used for another request; use a new key.",
            ) from None
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return web.json_response(answer.body, status=answer.status, headers=headers)

    async def _files(self, body: MessageIn, uploads: list[FileData]) -> list[FileData]:
        """The message's files, uploaded and fetched, each of an allowed kind and size."""
        if body.text is None and not body.attachments and not uploads:
            problem = "send a text, files, or both"
            raise ApiError(
                422,
                "invalid_body",
                f"text: {problem}",
                details=[{"field": "text", "problem": problem}],
            )
        if len(body.attachments) + len(uploads) > MAX_ATTACHMENTS:
            raise ApiError(422, "too_many_attachments", f"At most {MAX_ATTACHMENTS} files.")
        limit = self._core.settings.api_max_file_bytes
        files = [(f"file.{i}", f) for i, f in enumerate(uploads)]
        for index, attachment in enumerate(body.attachments):
            files.append((f"attachments.{index}", await self._fetcher.fetch(attachment, index)))
        checked = []
        for field, file in files:
            try:
                mime = accepted_type(file.name, file.data, limit)
            except FileRefused as error:
                code = "attachment_too_large" if error.code == "file_too_big" else "attachment_type"
                details = [{"field": field, "problem": error.message}]
                raise ApiError(422, code, f"{field}: {error.message}", details=details) from None
            checked.append(FileData(file.name, mime, file.data))
        return checked

    async def _accept(
        self,
        api: ApiEntryPoint,
        key: str,
        body: MessageIn,
        uploads: list[FileData],
        print_: str,
    ) -> idempotency.Answer:
        entry = api.entry_point
        customer = identity_id(entry.id, body.contact.external_id)
        kept = [await keep(file) for file in await self._files(body, uploads)]
        kind = "text"
        if kept:
            kind = "photo" if all(f.mime in IMAGES for f in kept) else "document"
        inbound = InboundMessage(
            entry_point=EntryPointRef("api", entry.key, entry.name),
            customer=CustomerRef(
                "api", customer, body.contact.name, language=body.contact.language
            ),
            chat=customer,
            # The key, not the text, makes a message one: a retry is the same message.
            external_id=hashlib.sha256(key.encode()).hexdigest()[:32],
            body=MessageBody(
                kind, body.text, {ATTACHMENTS: [listed(f) for f in kept]} if kept else {}
            ),
        )
        try:
            accepted = await self._core.inbox.accept(inbound)
        except Exception:
            await forget(kept)
            raise
        self._core.worker.wake()
        if accepted.message_id is None or accepted.conversation_id is None:
            await forget(kept)
        else:
            await attach(kept, accepted.message_id, accepted.conversation_id)
        if accepted.duplicate:  # the same key, in another request that may still be in flight
            again = await idempotency.earlier(entry.id, key, print_)
            if again is not None:
                return again
            raise ApiError(
                409, "idempotency_key_in_use", "A request with this key is in progress; retry."
            )
        if accepted.message_id is None or accepted.conversation_id is None:
            return idempotency.Answer(
                403, {"error": {"code": "contact_banned", "message": "The contact is banned."}}
            )
        view = await history.posted(
            accepted.message_id, accepted.conversation_id, accepted.new_conversation, self._links
        )
        return idempotency.Answer(201, view)

    async def list_messages(self, request: web.Request) -> web.Response:
        api = await self._caller(request)
        conversation_id = _number(request.match_info["id"], "id", low=1)
        after = _number(request.query.get("after", "0"), "after", low=0)
        limit = _number(request.query.get("limit", str(history.PAGE)), "limit", low=1)
        if limit > history.PAGE:
            raise ApiError(400, "invalid_query", f"limit: at most {history.PAGE}.")
        unknown = set(request.query) - {"after", "limit"}
        if unknown:
            raise ApiError(400, "invalid_query", f"Unknown query parameter {sorted(unknown)[0]}.")
        ep_id = api.entry_point_id  # type: ignore[attr-defined]
        view = await history.messages_of(ep_id, conversation_id, after, self._links, limit)
        if view is None:
            raise ApiError(404, "not_found", "No conversation with this id came through this key.")
        return web.json_response(view)


def _number(value: str, name: str, *, low: int) -> int:
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= MAX_ID:
        raise ApiError(400, "invalid_parameter", f"{name}: a whole number from {low} to {MAX_ID}.")
    return int(value)
