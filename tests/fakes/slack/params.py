"""Decoding of Web API call parameters as Slack reads them.

A call may carry parameters in the query string and in the body: JSON
(``application/json``, native values), form-urlencoded or multipart (every value
a string; structured fields such as ``blocks`` are JSON strings). The token is
the ``Authorization: Bearer`` header or, for form and query requests only, a
``token`` parameter: Slack ignores a token inside a JSON body.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ..common import UploadedFile
from .errors import SlackError, invalid_arguments, missing_argument

# Parameters whose form-encoded value is a JSON document.
JSON_FIELDS = frozenset(
    {"attachments", "blocks", "files", "metadata", "unfurls", "user_auth_blocks"}
)
TRUE = frozenset({"1", "true", "yes", "on"})


class Params:
    """The decoded parameters of one call, with Slack-style coercions."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile] | None = None):
        self.values = values
        self.files = files or {}

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def text(self, key: str) -> str | None:
        """The value as a string (None when absent or empty)."""
        value = self.values.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def required(self, key: str, error: str | None = None) -> str:
        """The value as a string; a missing one answers ``error`` (or invalid_arguments)."""
        value = self.text(key)
        if value is None:
            raise SlackError(error) if error else missing_argument(key)
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        return str(value).strip().lower() in TRUE

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.values.get(key)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise invalid_arguments(f"[ERROR] invalid value for {key}: {value!r}") from None

    def document(self, key: str) -> Any:
        """A structured field (blocks, files...): native in JSON bodies, a JSON string in forms."""
        value = self.values.get(key)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                error = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
                raise SlackError(error) from None
        return value

    def recorded(self) -> dict[str, Any]:
        """What ``FakeSlack.calls`` keeps: values with JSON fields decoded, plus files."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if key in JSON_FIELDS and isinstance(value, str):
                try:
                    out[key] = json.loads(value)
                except ValueError:
                    out[key] = value
            else:
                out[key] = value
        return {**out, **self.files}


async def read_request(request: web.Request) -> tuple[Params, str | None]:
    """Return (params, token). Raises SlackError for undecodable bodies."""
    values: dict[str, Any] = dict(request.query.items())
    files: dict[str, UploadedFile] = {}
    form_token = values.pop("token", None)
    if request.content_type == "application/json":
        raw = await request.read()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("json_not_object")
            body.pop("token", None)  # Slack reads no token from a JSON body
            values.update(body)
    elif request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                files[key] = UploadedFile(key, value.filename, value.content_type, data)
            elif key == "token":
                form_token = value
            else:
                values[key] = value
    token = form_token
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    return Params(values, files), token
