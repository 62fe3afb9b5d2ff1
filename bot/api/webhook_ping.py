"""The panel's "send test" of an API entry point's webhook: one signed `ping` event, POSTed
at once (not through the outbox: the admin waits for the answer) within a short timeout;
what came of it is said and audited. And the webhook's last deliveries, read from the
outbox's rows: the answers (customer deliveries of the entry point's conversations) and the
conversation events (its webhook queue)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from bot.api.webhook_calls import call_for, new_event
from bot.base import audit
from bot.base.i18n import Text, _
from bot.base.ports import DeliveryError, PermanentError, RetryAfter, WebhookCall, WebhookPoster
from bot.outbox.queue import TargetKind, webhook_target
from storage.models import ApiEntryPoint, Delivery, DeliveryKind

TEST_SECONDS = 5.0
RECENT = 10
# A customer delivery of an API contact -> the event its call carried.
ANSWER_EVENTS = {
    DeliveryKind.EDIT.value: "message.updated",
    DeliveryKind.DELETE.value: "message.deleted",
}


@dataclass(frozen=True)
class Tested:
    """The receiver's status (2xx), or why there is none."""

    status: int | None
    error: Text | None = None


async def send_test(
    api: ApiEntryPoint, poster: WebhookPoster | None, now: datetime, *, actor_name: str
) -> Tested:
    """`api` with its entry point fetched."""
    entry_key = api.entry_point.key
    event = new_event("ping", now, entry_point=entry_key)
    call = await call_for(api.entry_point_id, event, now)  # type: ignore[attr-defined]
    if call is None:
        result = Tested(None, Text(_("This entry point has no webhook.")))
    elif poster is None:
        result = Tested(None, Text(_("The API channel is not running: no call was made.")))
    else:
        result = await _post(poster, call)
    await audit.record(
        "entry_point.webhook_test",
        at=now,
        actor_name=actor_name,
        new=str(result.status) if result.status else "failed",
        entry_point=entry_key,
    )
    return result


async def _post(poster: WebhookPoster, call: WebhookCall) -> Tested:
    try:
        async with asyncio.timeout(TEST_SECONDS):
            return Tested(await poster.post(call))
    except TimeoutError:
        return Tested(
            None, Text(_("No answer within {seconds} seconds."), seconds=int(TEST_SECONDS))
        )
    except RetryAfter as error:
        return Tested(
            429, Text(_("The receiver asked to wait {seconds} s (429)."), seconds=error.seconds)
        )
    except PermanentError as error:
        return Tested(None, Text(_("Refused: {reason}"), reason=error.detail or str(error)))
    except DeliveryError as error:
        return Tested(None, Text(_("Failed: {reason}"), reason=str(error)))


@dataclass(frozen=True)
class RecentDelivery:
    event: str
    created_at: datetime
    status: str
    attempts: int
    last_error: str | None


async def recent_deliveries(api: ApiEntryPoint, limit: int = RECENT) -> list[RecentDelivery]:
    """The entry point's last webhook deliveries, newest first."""
    entry_point_id = api.entry_point_id  # type: ignore[attr-defined]
    rows = (
        await Delivery.filter(
            Q(target=webhook_target(entry_point_id))
            | Q(
                target__startswith=f"{TargetKind.CUSTOMER}:",
                conversation__entry_point_id=entry_point_id,
            )
        )
        .order_by("-id")
        .limit(limit)
    )
    return [
        RecentDelivery(_event(row), row.created_at, str(row.status), row.attempts, row.last_error)
        for row in rows
    ]


def _event(row: Delivery) -> str:
    event = (row.payload or {}).get("event")
    if isinstance(event, dict) and isinstance(event.get("type"), str):
        return event["type"]
    return ANSWER_EVENTS.get(row.op, "message.created")
