"""Reading an API request defensively: the key, the content type, the body (bounded, JSON,
checked against its model), the Idempotency-Key. Each refusal is an ApiError whose words
say what to change; nothing is stored before all of them passed."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError

from bot.attachments.kinds import clean_name
from bot.base.ports import FileData
from bot.directory.api_entry_points import authenticate
from bridges.api.errors import ApiError
from bridges.webhook_body import BadBody, decode_text, parse_json_object, read_body
from storage.models import ApiEntryPoint

Model = TypeVar("Model", bound=BaseModel)
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,128}")


async def entry_point_of(request: web.Request) -> ApiEntryPoint:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if not header:
        raise ApiError(401, "unauthorized", "Send the entry point's key: Authorization: Bearer …")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", "The Authorization header must be `Bearer <key>`.")
    api = await authenticate(key.strip())
    if api is None:
        raise ApiError(401, "unauthorized", "The key is not valid (it may have been rotated).")
    return api


def idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise ApiError(
            400,
            "idempotency_key_missing",
            "Every POST needs an Idempotency-Key header (a UUID you keep for its retries).",
        )
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(
            400, "idempotency_key_invalid", "Idempotency-Key: 1 to 128 printable ASCII characters."
        )
    return key


async def json_body(request: web.Request, model: type[Model], limit: int) -> tuple[Model, Any]:
    """The body checked against `model`, and as it was parsed (for the request's fingerprint)."""
    if request.content_type != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the body as application/json (with files: multipart/form-data).",
        )
    try:
        raw = await read_body(request, limit)
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "body_too_large", f"The body is over {limit} bytes.") from None
    return _checked(raw, model)


def _checked(raw: bytes, model: type[Model]) -> tuple[Model, Any]:
    try:
        parsed = parse_json_object(decode_text(raw))
    except BadBody as error:
        raise ApiError(400, "malformed_json", f"The body is not a JSON object: {error}.") from None
    try:
        return model.model_validate(parsed, strict=True), parsed
    except ValidationError as error:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "problem": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        first = details[0]
        raise ApiError(
            422,
            "invalid_body",
            f"{first['field']}: {first['problem']}",
            details=details,
        ) from None


def fingerprint(request: web.Request, parsed: Any) -> str:
    canonical = json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


async def message_form(
    request: web.Request, model: type[Model], json_limit: int, file_limit: int, max_files: int
) -> tuple[Model, Any, list[FileData]]:
    """A multipart/form-data POST: the JSON body as the part `message` and each uploaded
    file as a part `file`. Read part by part, each within its limit; the fingerprint covers
    the files (name, type, sha256) besides the JSON, so a retry with the same key and the
    same files replays and another file is a 409."""
    if (request.content_length or 0) > json_limit + max_files * (file_limit + 4096):
        raise ApiError(413, "body_too_large", "The body is larger than its parts may be.")
    raw: bytes | None = None
    files: list[FileData] = []
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise _bad_form()
            if part.name == "message" and raw is None:
                raw = await _part(part, json_limit, "The message part is over {limit} bytes.")
            elif part.name == "file" and len(files) < max_files:
                data = await _part(part, file_limit, "A file is over {limit} bytes.")
                mime = part.headers.get("Content-Type", "application/octet-stream")
                files.append(FileData(clean_name(part.filename), mime, data))
            elif part.name == "file":
                raise ApiError(422, "too_many_attachments", f"At most {max_files} files.")
            else:
                raise _bad_form()
    except (ValueError, AssertionError):  # a malformed multipart body
        raise _bad_form() from None
    if raw is None:
        raise _bad_form()
    body, parsed = _checked(raw, model)
    hashes = [[f.name, f.mime, hashlib.sha256(f.data).hexdigest()] for f in files]
    return body, {"message": parsed, "files": hashes}, files


def _bad_form() -> ApiError:
    return ApiError(
        400,
        "malformed_form",
        "A multipart body has one part `message` (the JSON body) and a part `file` per file.",
    )


async def _part(part: BodyPartReader, limit: int, words: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > limit:
            raise ApiError(413, "body_too_large", words.format(limit=limit))
    return bytes(data)
