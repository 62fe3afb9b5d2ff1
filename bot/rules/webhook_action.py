"""A rule's `webhook: {url, secret}` action: checked when the rule is saved, queued as a
delivery (target `rule:<rule id>`) when it runs, and signed when it is sent — with the API's
signing (`bot/base/webhook_signing`), address policy (`bot/base/addresses`) and poster.

The secret stays in the rule: the delivery carries the URL and the body, and the secret of
the rule's webhook with that URL is read when the call goes (a retry after the secret
changed is signed with the new one; a rule deleted meanwhile sends nothing)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.api.shapes import contact_shape, conversation_shape
from bot.api.webhook_calls import encode, new_event
from bot.base.addresses import UnsafeAddress, check_url, is_public
from bot.base.i18n import Text, _
from bot.base.ports import WebhookCall
from bot.base.webhook_signing import EVENT_HEADER, signed_headers
from bot.directory import DirectoryError
from storage.models import Conversation, Identity, Operator, Rule

EVENT_TYPE = "rule.webhook"
KEYS = ("url", "secret")
MIN_SECRET, MAX_SECRET = 16, 256
# Names that lead to this machine or its network whatever they resolve to.
LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".lan")


def check_shape(value: Any, where: str) -> None:
    """The action as written: `{url: https://…, secret: at least 16 characters}`."""
    if not isinstance(value, Mapping) or set(value) != set(KEYS):
        shape = _("write {{url: https://…, secret: …}}: the address and the signing secret")
        raise DirectoryError(Text(shape), where)
    url, secret = value["url"], value["secret"]
    try:
        if not isinstance(url, str):
            raise UnsafeAddress("not a text")
        check_url(url)
    except UnsafeAddress:
        address = _(
            "must be an http:// or https:// address with a host, without a user or password"
        )
        raise DirectoryError(Text(address), f"{where}.url") from None
    if not isinstance(secret, str) or not MIN_SECRET <= len(secret.strip()) <= MAX_SECRET:
        sized = _("the secret must be {low} to {high} characters")
        raise DirectoryError(Text(sized, low=MIN_SECRET, high=MAX_SECRET), f"{where}.secret")


def check_address(value: Mapping[str, Any], where: str, *, allow_private: bool) -> None:
    """A webhook to a private or loopback address is refused unless the desk allows it. A
    name is resolved when the call goes, and its addresses are checked then too."""
    if allow_private:
        return
    host = (urlsplit(str(value["url"])).hostname or "").casefold()
    if _private(host):
        private = _(
            "{host} is a private or loopback address, which the desk does not call "
            "(RELAYDESK_WEBHOOK_ALLOW_PRIVATE=true allows it)"
        )
        raise DirectoryError(Text(private, host=host), f"{where}.url")


def _private(host: str) -> bool:
    if host == LOCAL_NAMES[0] or host.endswith(LOCAL_NAMES[1:]):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not is_public(host.strip("[]"))


def host_of(value: Mapping[str, Any]) -> str:
    return urlsplit(str(value.get("url", ""))).hostname or ""


async def event(conversation: Conversation, rule: str, what: str, at: datetime) -> dict[str, Any]:
    """The body: the event that set the rule off, the conversation, the contact, the rule."""
    identity = await Identity.get(id=conversation.identity_id)  # type: ignore[attr-defined]
    assignee_id = conversation.assignee_id  # type: ignore[attr-defined]
    assignee = await Operator.get_or_none(id=assignee_id) if assignee_id else None
    return new_event(
        EVENT_TYPE,
        at,
        rule=rule,
        event=what,
        conversation=conversation_shape(conversation, assignee),
        contact=contact_shape(identity),
    )


async def call_for(rule_id: int, payload: Mapping[str, Any], now: datetime) -> WebhookCall | None:
    """The signed call of a queued rule webhook; None when the rule or its webhook with that
    URL is gone (nothing to send)."""
    rule = await Rule.get_or_none(id=rule_id)
    url = payload["url"]
    secrets = [
        item["webhook"]["secret"]
        for item in (rule.actions if rule else [])
        if isinstance(item.get("webhook"), Mapping) and item["webhook"].get("url") == url
    ]
    if not secrets:
        return None
    body = encode(payload["event"])
    headers = signed_headers(secrets[0], int(now.timestamp()), body)
    return WebhookCall(url, body, {**headers, EVENT_HEADER: EVENT_TYPE})
