"""Decoding of Bot API call parameters as aiogram puts them on the wire.

aiogram posts form data: every value is a string, nested objects are JSON
strings and uploads are multipart parts referenced as ``attach://<key>``.
A JSON request body (other clients) carries native values instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ..common import UploadedFile
from .errors import bad_request

# Parameters whose string form is JSON (the Bot API's "JSON-serialized" fields).
JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "correct_option_ids",
        "entities",
        "explanation_entities",
        "link_preview_options",
        "media",
        "menu_button",
        "message_ids",
        "options",
        "question_entities",
        "reaction",
        "reply_markup",
        "reply_parameters",
        "rights",
        "scope",
    }
)


async def read_request(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Return (params with JSON fields decoded, uploaded files by part name)."""
    params: dict[str, Any] = {key: decode_value(key, value) for key, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        params |= {key: decode_value(key, value) for key, value in body.items()}
        return params, files
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(key, value.filename, value.content_type, value.file.read())
        else:
            params[key] = decode_value(key, value)
    return params, files


def decode_value(key: str, value: Any) -> Any:
    if key in JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {key} JSON object") from None
    return value


class Params:
    """Typed access to one call's parameters; uploads stay reachable by part name."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None):
        self.values = {key: decode_value(key, value) for key, value in values.items()}
        self.files = dict(files or {})

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        if name not in self.values and name in self.files:
            return self.files[name]
        return self.values.get(name)

    def required(self, name: str) -> Any:
        value = self.raw(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        return value

    def opt_str(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def req_str(self, name: str) -> str:
        return str(self.required(name))

    def opt_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def req_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def req_float(self, name: str) -> float:
        try:
            return float(self.required(name))
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in {"true", "1"}
        return bool(value)

    def json(self, name: str) -> Any:
        """A JSON-serialized parameter, already decoded."""
        return self.values.get(name)

    def chat_id(self, name: str = "chat_id") -> int:
        value = self.required(name)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
