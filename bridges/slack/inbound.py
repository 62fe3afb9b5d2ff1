"""The border of /slack/events: who sent the request, then what it says.

The signature is checked on the raw bytes before anything is parsed, so a stranger's
request costs one HMAC and one log line, never a parser's traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bridges.slack.shapes import check_delivery_shape
from bridges.webhook_body import BadBody, check_shape, decode_text, read_body

log = logging.getLogger(__name__)


def signed_by_slack(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str]) -> bool:
    """Slack's v0 signature, fresh (five minutes). Headers a stranger made up (a timestamp
    that is no number, a non-ASCII signature, a body that is not UTF-8) are simply wrong."""
    try:
        return verifier.is_valid(
            body=raw,
            timestamp=headers.get("X-Slack-Request-Timestamp"),
            signature=headers.get("X-Slack-Signature"),
        )
    except (ValueError, TypeError):
        return False


async def read_slack_request(request: web.Request, verifier: SignatureVerifier) -> AsyncBoltRequest:
    """Bolt's request for a signed, well-formed delivery; 413, 401 or 400 for anything else."""
    raw = await read_body(request)
    if not signed_by_slack(verifier, raw, request.headers):
        log.warning("Slack request from %s without a valid signature refused", request.remote)
        raise web.HTTPUnauthorized(text="invalid signature")
    try:
        return _parsed(decode_text(raw), request)
    except BadBody as error:
        log.warning("Malformed Slack request from %s refused: %s", request.remote, error)
        raise web.HTTPBadRequest(text="malformed request") from None


def _parsed(text: str, request: web.Request) -> AsyncBoltRequest:
    """Parsed by Bolt's own rules (JSON, a form, or a form's `payload=` JSON), so what is
    checked here is exactly what the listeners get."""
    try:
        parsed = AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
    except RecursionError:
        raise BadBody("JSON nested too deeply") from None
    except Exception as error:  # a body Bolt cannot read is the sender's fault, not ours
        raise BadBody(f"{type(error).__name__}: {str(error)[:100]}") from None
    check_delivery_shape(check_shape(parsed.body))
    return parsed
