"""Webhook delivery as Telegram does it: updates of different chats at once, up to the
webhook's `max_connections` (40 by default) requests in flight; the updates of one chat one
at a time, in order (the next waits until the webhook accepted the one before), a failed one
retried before anything later of its chat."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from .chats import Json
from .errors import ApiError
from .params import Params, UploadedFile

# Keys of updates that belong to a chat; anything else queues by its sender.
CHAT_KEYS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
    "message_reaction",
    "message_reaction_count",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
)


def queue_of(update: Json) -> object:
    """Updates with the same queue go one at a time; others in parallel."""
    for key in CHAT_KEYS:
        chat = (update.get(key) or {}).get("chat") if isinstance(update.get(key), dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
    for value in update.values():
        if isinstance(value, dict):
            message = value.get("message")
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                return message["chat"].get("id")
            sender = value.get("from")
            if isinstance(sender, dict) and "id" in sender:
                return sender["id"]
    return ("update", update.get("update_id"))


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDelivery:
    """Mixed into FakeTelegram: `updates` queued by the world, posted to `webhook`."""

    updates: list[Json]
    webhook: Webhook | None
    webhook_deliveries: list[Json]
    webhook_retry_delay: float
    webhook_timeout: float
    closing: bool
    changed: Any
    _client: aiohttp.ClientSession | None
    _posting: dict[object, asyncio.Task[None]]

    async def wait_idle(self, timeout: float = 5) -> None:  # noqa: ASYNC109
        """Wait until no update is pending (delivered to the webhook, or confirmed
        by a later getUpdates offset)."""

        def idle() -> bool:
            return not self.updates and not self._posting

        if not await self.changed.wait_until(idle, timeout):
            raise TimeoutError(f"{len(self.updates)} updates still pending after {timeout} s")

    def _next_updates(self, hook: Webhook) -> list[tuple[object, Json]]:
        """The first pending update of each queue that has none in flight, within the
        webhook's connections."""
        room = hook.max_connections - len(self._posting)
        chosen: list[tuple[object, Json]] = []
        seen: set[object] = set()
        for update in self.updates:
            if len(chosen) >= room:
                break
            queue = queue_of(update)
            if queue in seen:
                continue
            seen.add(queue)
            if queue not in self._posting:
                chosen.append((queue, update))
        return chosen

    async def _deliver_webhooks(self) -> None:
        while not self.closing:
            hook = self.webhook
            ready = self._next_updates(hook) if hook is not None else []
            if not ready:
                await self.changed.wait_until(
                    lambda: (
                        self.closing
                        or (self.webhook is not None and bool(self._next_updates(self.webhook)))
                    ),
                    3600,
                )
                continue
            for queue, update in ready:
                task = asyncio.create_task(self._deliver_one(hook, update))
                self._posting[queue] = task
                task.add_done_callback(lambda _t, q=queue: self._webhook_posted(q))

    def _webhook_posted(self, queue: object) -> None:
        self._posting.pop(queue, None)
        self.changed.fire()

    async def _stop_webhooks(self) -> None:
        for task in list(self._posting.values()):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._posting.values(), return_exceptions=True)

    async def _deliver_one(self, hook: Webhook, update: Json) -> None:
        error = await self._post_update(hook, update)
        if error is None:
            if any(pending is update for pending in self.updates):
                self.updates = [pending for pending in self.updates if pending is not update]
                self.webhook_deliveries.append(copy.deepcopy(update))
            return
        hook.last_error_date = int(time.time())
        hook.last_error_message = error
        # Its chat waits for the retry; other chats go on.
        await self.changed.wait_until(
            lambda h=hook: self.closing or self.webhook is not h, self.webhook_retry_delay
        )

    async def _post_update(self, hook: Webhook, update: Json) -> str | None:
        """POST one update; returns an error message, or None once it was accepted."""
        assert self._client is not None
        headers = {}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        request = self._client.post(hook.url, json=update, headers=headers, timeout=timeout)
        try:
            async with request as resp:
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                await self._run_webhook_reply(resp)
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"Connection failed: {type(error).__name__}"
        return None

    async def _run_webhook_reply(self, resp: aiohttp.ClientResponse) -> None:
        """A webhook answer may carry one method call (aiogram sends it as multipart)."""
        values: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if resp.content_type == "multipart/form-data":
            async for part in aiohttp.MultipartReader.from_response(resp):
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    content_type = part.headers.get(aiohttp.hdrs.CONTENT_TYPE)
                    data = await part.read(decode=True)
                    files[part.name] = UploadedFile(part.name, part.filename, content_type, data)
                else:
                    values[part.name] = await part.text()
        elif resp.content_type == "application/json":
            body = await resp.json()
            values = body if isinstance(body, dict) else {}
        method = values.pop("method", None)
        if method:
            with contextlib.suppress(ApiError):  # Telegram ignores failed webhook replies
                await self.call(str(method), Params(values, files))  # type: ignore[attr-defined]
