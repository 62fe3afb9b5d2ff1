"""Reading an API request defensively: the key, the content type, the body (bounded, JSON,
checked against its model), the Idempotency-Key. Each refusal is an ApiError whose words
say what to change; nothing is stored before all of them passed."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

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
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        raw = await read_body(request, limit)
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "body_too_large", f"The body is over {limit} bytes.") from None
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
