"""Texts as JSON, for the deliveries (and cards) that carry one until their reader is known."""

from __future__ import annotations

from typing import Any

from bot.base.i18n import Text


def text_payload(text: Text) -> dict[str, Any]:
    """A Text as JSON; arguments may be Texts or lists of them (a list renders as lines)."""
    return {"msgid": text.msgid, "args": {k: _encode(v) for k, v in text.args.items()}}


def payload_text(payload: dict[str, Any]) -> Text:
    return Text(payload["msgid"], **{k: _decode(v) for k, v in payload.get("args", {}).items()})


def _encode(value: Any) -> Any:
    if isinstance(value, Text):
        return {"text": text_payload(value)}
    if isinstance(value, list):
        return {"lines": [_encode(v) for v in value]}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return payload_text(value["text"])
    if isinstance(value, dict) and "lines" in value:
        return [_decode(v) for v in value["lines"]]
    return value
