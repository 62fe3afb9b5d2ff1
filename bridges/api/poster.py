"""The HTTP call of a webhook: to the addresses its host resolves to, checked first
(bot/base/addresses), within a timeout; the answer becomes one of the outbox's outcomes."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.base.addresses import UnsafeAddress, check_address, check_url
from bot.base.i18n import _
from bot.base.ports import PermanentError, RetryAfter, TransientError, WebhookCall
from bot.base.redact import Redactor

USER_AGENT = "Relaydesk-Webhook/1"
# Read of an answer: the status is what counts; a receiver's page need not be read whole.
ANSWER_READ = 2048


class CheckedResolver(AbstractResolver):
    """Resolves like aiohttp does, then refuses addresses the policy refuses: the connection
    goes to the very addresses that were checked (no second lookup to rebind)."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = ThreadedResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for result in found:
            check_address(result["host"], allow_private=self._allow_private)
        return found

    async def close(self) -> None:
        await self._inner.close()


class AiohttpWebhookPoster:
    def __init__(self, *, allow_private: bool, timeout: float, redactor: Redactor) -> None:
        self._allow_private = allow_private
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._redactor = redactor
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=CheckedResolver(self._allow_private))
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers={"User-Agent": USER_AGENT}
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, call: WebhookCall) -> int:
        try:
            check_url(call.url)
            host = urlsplit(call.url).hostname or ""
            if is_ip(host):  # aiohttp connects to an address as it is, not resolving it
                check_address(host, allow_private=self._allow_private)
            async with self._client().post(
                call.url, data=call.body, headers=dict(call.headers), allow_redirects=False
            ) as answer:
                await answer.content.read(ANSWER_READ)
                status, headers = answer.status, answer.headers
        except UnsafeAddress as error:
            raise PermanentError(_("the webhook's address is not allowed"), str(error)) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise TransientError(self._redactor.describe(error)) from None
        return _outcome(status, headers)


def _outcome(status: int, headers: Any) -> int:
    if 200 <= status < 300:
        return status
    if status == 429:
        raise RetryAfter(_seconds(headers.get("Retry-After")))
    if status >= 500 or status in (408, 425):
        raise TransientError(f"the webhook answered {status}")
    raise PermanentError(_("the webhook refused it"), f"the webhook answered {status}")


def _seconds(value: str | None) -> float:
    try:
        return min(max(float(value or 30), 1.0), 3600.0)
    except ValueError:
        return 30.0


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
