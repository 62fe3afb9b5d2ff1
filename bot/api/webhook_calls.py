"""An event for an API entry point's webhook as the signed call that carries it. Signed when
it is sent (not when it was queued): a retry carries a fresh timestamp, and a rotated secret
applies to what still waits."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from bot.base.ports import WebhookCall
from bot.base.webhook_signing import EVENT_HEADER, signed_headers
from storage.models import ApiEntryPoint


def new_event(event_type: str, at: datetime, **parts: Any) -> dict[str, Any]:
    """An event's envelope; `id` stays the same through retries (a receiver dedupes by it)."""
    return {
        "id": parts.pop("id", None) or f"evt_{uuid.uuid4().hex}",
        "type": event_type,
        "created_at": at.isoformat().replace("+00:00", "Z"),
        **parts,
    }


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _call(api: ApiEntryPoint | None, event: dict[str, Any], now: datetime) -> WebhookCall | None:
    if api is None or not api.webhook_url or not api.webhook_secret:
        return None  # no webhook: the system reads the conversation's messages instead
    body = encode(event)
    headers = signed_headers(api.webhook_secret, int(now.timestamp()), body)
    return WebhookCall(api.webhook_url, body, {**headers, EVENT_HEADER: event["type"]})


async def call_for(entry_point_id: int, event: dict[str, Any], now: datetime) -> WebhookCall | None:
    return _call(await ApiEntryPoint.get_or_none(entry_point_id=entry_point_id), event, now)


async def call_for_key(
    entry_point_key: str, event: dict[str, Any], now: datetime
) -> WebhookCall | None:
    api = await ApiEntryPoint.filter(entry_point__key=entry_point_key).first()
    return _call(api, event, now)
