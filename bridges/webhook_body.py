"""Reading a messenger's webhook body defensively: bounded in size, parsed only after the
caller checked who sent it, and rejected (never crashed on) when malformed or too deep.

Anyone can POST to a webhook address, so nothing here may raise anything but the 4xx
answers below, and nothing may log more than a short line per bad request."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

# Slack documents no event above a few dozen KB and Telegram updates are smaller still
# (files travel by id); 1 MB leaves room for any real delivery.
MAX_BODY_BYTES = 1024 * 1024
# Real payloads nest about a dozen levels (Slack's rich text lists, Telegram's replies with
# keyboards); deeper bodies are only ever crafted, and would reach recursive code downstream.
MAX_DEPTH = 64


class BadBody(ValueError):
    """The body cannot be a delivery of this messenger: answer 400."""


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, or 413 as soon as it passes `limit` (declared or actually sent)."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.readany():
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("the body is not UTF-8") from None


def parse_json_object(text: str | bytes) -> dict[str, Any]:
    """A JSON object no deeper than MAX_DEPTH, else BadBody."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadBody("JSON nested too deeply") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise BadBody(f"not JSON ({error})") from None
    return check_shape(value)


def check_shape(value: Any) -> dict[str, Any]:
    """`value` itself when it is an object no deeper than MAX_DEPTH, else BadBody."""
    if not isinstance(value, dict):
        raise BadBody("JSON is not an object")
    if _depth(value) > MAX_DEPTH:
        raise BadBody(f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """Nesting depth, measured without recursion (the value may be deep)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
