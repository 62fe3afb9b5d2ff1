"""Why the Slack Web API could not be used, in the words `relaydesk check`, the log and
`/healthz` share: a network error, a refused token (with Slack's error code), trouble on
Slack's side, or an answer that is not Slack's at all (a proxy's 404 page)."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.base.health import Outage
from bot.base.i18n import Text, _
from bot.base.redact import Redactor
from bot.base.settings import Settings

REFUSED = _(
    "Slack refused {setting} ({error}): the network is fine, the token is not. Copy it again "
    "from the app's settings (the Bot User OAuth Token xoxb-… on OAuth & Permissions, the "
    "app-level token xapp-… on Basic Information)."
)
UNREACHABLE = _(
    "Could not reach Slack at {url}: {error}. "
    "Check RELAYDESK_SLACK_API_URL and the network (DNS, firewall, proxy)."
)
TROUBLE = _(
    "Slack at {url} answered with an error ({error}): the trouble is on its side, "
    "not in your settings."
)
NOT_SLACK = _(
    "The answer from {url} is not Slack's ({error}): check RELAYDESK_SLACK_API_URL; "
    "a proxy or a wrong address answers with its own page."
)
TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
BOT_TOKEN = "RELAYDESK_SLACK_BOT_TOKEN"
APP_TOKEN = "RELAYDESK_SLACK_APP_TOKEN"


class SocketModeLost(ConnectionError):
    """The Web API answers but Slack's websocket for events is gone."""


def outage(
    error: BaseException, settings: Settings, redactor: Redactor, setting: str = BOT_TOKEN
) -> Outage | None:
    """None for an error that is not about reaching Slack (a bug, the database)."""
    url = settings.slack_api_url
    if isinstance(error, SlackApiError):
        response = error.response
        data = response.data
        code = data.get("error") if isinstance(data, dict) else None
        status = response.status_code
        if status == 429:
            return Outage("server", Text(TROUBLE, url=url, error="HTTP 429, rate limited"))
        if not code:
            detail = f"HTTP {status} without a Slack error code"
            return Outage("bad_answer", Text(NOT_SLACK, url=url, error=detail))
        if status >= 500 or code in TRANSIENT:
            return Outage("server", Text(TROUBLE, url=url, error=f"HTTP {status}, {code}"))
        return Outage("refused", Text(REFUSED, setting=setting, error=str(code)))
    if isinstance(error, aiohttp.ContentTypeError | aiohttp.ClientPayloadError | ValueError):
        detail = redactor.describe(error)[:200]
        return Outage("bad_answer", Text(NOT_SLACK, url=url, error=detail))
    if isinstance(error, TimeoutError):
        return Outage("network", Text(UNREACHABLE, url=url, error="no answer in time"))
    if isinstance(error, aiohttp.ClientError | OSError):
        detail = redactor.redact(str(error)) or type(error).__name__
        return Outage("network", Text(UNREACHABLE, url=url, error=detail))
    return None
