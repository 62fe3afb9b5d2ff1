"""Deliveries to the app under test over HTTP: signed events, Slack's retries, and
people acting (posting, editing, deleting, pressing buttons, shortcuts, commands)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

import aiohttp

from .payloads import Payloads
from .people import FileSpec
from .world import Json


@dataclass
class Delivery:
    """One HTTP request the fake sent to the app, and its answer (status 0: no answer)."""

    url: str
    body: bytes
    headers: dict[str, str]
    status: int
    response: str


class AppDeliveries(Payloads):
    """Sends what people do to the app's HTTP endpoints and records each Delivery."""

    # set by FakeSlack.__init__ / start()
    delivery_timeout: float
    deliveries: list[Delivery]
    _client: aiohttp.ClientSession | None

    # ----- deliveries to the app (HTTP) -----------------------------------------------

    async def deliver(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """POST a prepared body to the app; (status, text), status 0 when it did not
        answer within ``delivery_timeout`` (Slack's 3 s) or could not be reached."""
        assert self._client is not None, "start() the fake first"
        timeout = aiohttp.ClientTimeout(total=self.delivery_timeout)
        try:
            async with self._client.post(url, data=body, headers=headers, timeout=timeout) as resp:
                status, text = resp.status, await resp.text()
        except TimeoutError:
            status, text = 0, "http_timeout"
        except aiohttp.ClientError as error:
            status, text = 0, f"connection_failed: {error!r}"
        self.deliveries.append(Delivery(url, body, dict(headers), status, text))
        return status, text

    async def deliver_event(
        self, url: str, envelope: Json, *, timestamp: int | None = None
    ) -> tuple[int, str]:
        body, headers = self.signed_event(envelope, timestamp=timestamp)
        return await self.deliver(url, body, headers)

    async def resend(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        retry_num: int,
        *,
        reason: str = "http_timeout",
    ) -> tuple[int, str]:
        """Slack's retry of an unacknowledged delivery: the same body, freshly signed,
        with ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason``."""
        retried = self.sign(body, headers.get("Content-Type", "application/json"))
        retried |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}
        return await self.deliver(url, body, retried)

    async def _deliver_all(self, url: str, envelopes: list[Json]) -> tuple[int, str]:
        """Deliver each envelope; the first one's answer (0, "" when none was sent)."""
        answers = [await self.deliver_event(url, envelope) for envelope in envelopes]
        return answers[0] if answers else (0, "")

    async def user_posts(
        self,
        url: str,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        files: Iterable[FileSpec] | None = None,
    ) -> tuple[int, str, Json]:
        """A person posts; Slack delivers ``message`` (and ``app_mention`` when the bot
        is mentioned). Returns the ``message`` delivery's (status, body) and its event;
        (0, "") when the bot is not in the channel, so nothing was sent."""
        envelopes = self.post_envelopes(channel, user, text, thread_ts=thread_ts, files=files)
        status, body = await self._deliver_all(url, envelopes)
        if envelopes:
            return status, body, copy.deepcopy(envelopes[0]["event"])
        where = self.channels[channel]
        last = copy.deepcopy(list(where.messages.values())[-1])
        return status, body, {**last, "channel": channel, "channel_type": where.channel_type}

    async def user_edits(
        self, url: str, channel: str, user: str, ts: str, text: str
    ) -> tuple[int, str, Json | None]:
        envelope = self.edit_envelope(channel, user, ts, text)
        status, body = await self._deliver_all(url, [envelope] if envelope else [])
        return status, body, copy.deepcopy(envelope["event"]) if envelope else None

    async def user_deletes(self, url: str, channel: str, ts: str) -> tuple[int, str, Json | None]:
        envelope = self.delete_envelope(channel, ts)
        status, body = await self._deliver_all(url, [envelope] if envelope else [])
        return status, body, copy.deepcopy(envelope["event"]) if envelope else None

    async def press_button(
        self,
        url: str,
        channel: str,
        message_ts: str,
        user: str,
        action_id: str,
        value: str,
        *,
        block_id: str = "b",
    ) -> tuple[int, str, Json]:
        payload = self.block_actions(channel, message_ts, user, action_id, value, block_id=block_id)
        status, body = await self.deliver(url, *self.signed_payload(payload))
        return status, body, payload

    async def message_shortcut(
        self, url: str, channel: str, message_ts: str, user: str, callback_id: str
    ) -> tuple[int, str, Json]:
        payload = self.message_action(channel, message_ts, user, callback_id)
        status, body = await self.deliver(url, *self.signed_payload(payload))
        return status, body, payload

    async def slash_command(
        self, url: str, command: str, text: str, user: str, channel: str
    ) -> tuple[int, str, dict[str, str]]:
        fields = self.slash_command_form(command, text, user, channel)
        status, body = await self.deliver(url, *self.signed_form(fields))
        return status, body, fields
