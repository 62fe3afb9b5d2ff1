"""The answers of API POSTs by their Idempotency-Key, per entry point: a retry of the same
request gets the first answer again; the same key with another request is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from storage.models import ApiRequest


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


class KeyReused(Exception):
    """The key was used for another request."""


async def earlier(entry_point_id: int, key: str, fingerprint: str) -> Answer | None:
    """The stored answer of this request, None when the key is new; KeyReused when it
    answered another request."""
    found = await ApiRequest.get_or_none(entry_point_id=entry_point_id, key=key)
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise KeyReused(key)
    return Answer(found.status, found.response)


async def remember(entry_point_id: int, key: str, fingerprint: str, answer: Answer) -> Answer:
    """Keep `answer`; when a concurrent request with the key got in first, its answer."""
    try:
        await ApiRequest.create(
            entry_point_id=entry_point_id,
            key=key,
            fingerprint=fingerprint,
            status=answer.status,
            response=answer.body,
        )
    except IntegrityError:
        return await earlier(entry_point_id, key, fingerprint) or answer
    return answer
