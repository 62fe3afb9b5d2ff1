"""API entry points: a system that POSTs customers' messages with a key of its own, and the
webhook the desk POSTs its answers and conversation events to.

A key is shown once, when it is made or rotated; only its sha256 is kept (a key is 32 random
bytes, so a hash cannot be guessed back). The webhook's secret is kept as it is: it signs."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.addresses import UnsafeAddress, check_url
from bot.base.i18n import Text, _
from bot.base.webhook_signing import new_secret
from bot.directory import CLI, DirectoryError, now
from bot.directory.lines import get_line
from bot.outbox.queue import webhook_target
from storage.models import ApiEntryPoint, Delivery, EntryPoint

# Short, so that "api:<slug>:<entry point id>:<contact's id>" fits a message link's chat.
API_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,15}")
KEY_PREFIX = "rdk_"
HINT_LENGTH = 12


@dataclass(frozen=True)
class Issued:
    """What is shown once: the key (and the webhook secret when one was made)."""

    entry_point: EntryPoint
    key: str | None
    webhook_secret: str | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_of(slug: str) -> str:
    return f"api:{slug}"


def _check_slug(slug: str) -> str:
    if not API_SLUG.fullmatch(slug):
        raise DirectoryError(
            Text(
                _(
                    "API entry point {slug!r} should be 1 to 16 small letters, digits and "
                    "dashes (shop, crm-eu)"
                ),
                slug=slug,
            )
        )
    return slug


def check_webhook_url(url: str) -> str:
    try:
        return check_url(url)
    except UnsafeAddress as error:
        raise DirectoryError(
            Text(_("webhook URL {url!r} will not do: {reason}"), url=url[:80], reason=str(error))
        ) from None


async def create_api_entry_point(
    slug: str,
    line_slug: str,
    *,
    name: str | None = None,
    webhook_url: str | None = None,
    actor_name: str = CLI,
) -> Issued:
    _check_slug(slug)
    if webhook_url:
        check_webhook_url(webhook_url)
    key, secret = _new_key(), new_secret() if webhook_url else None
    async with in_transaction():
        line = await get_line(line_slug)
        if await EntryPoint.exists(key=api_key_of(slug)):
            exists = _("entry point {key!r} exists already")
            raise DirectoryError(Text(exists, key=api_key_of(slug)))
        entry = await EntryPoint.create(
            key=api_key_of(slug), channel="api", name=(name or slug)[:128], line=line
        )
        await ApiEntryPoint.create(
            entry_point=entry,
            key_hash=hash_key(key),
            key_hint=key[:HINT_LENGTH],
            webhook_url=webhook_url or None,
            webhook_secret=secret,
        )
        await audit.record(
            "entry_point.set", at=now(), actor_name=actor_name, new=line.slug, entry_point=entry.key
        )
    return Issued(entry, key, secret)


async def _get(slug: str) -> ApiEntryPoint:
    found = (
        await ApiEntryPoint.filter(entry_point__key=api_key_of(slug))
        .select_related("entry_point")
        .first()
        if API_SLUG.fullmatch(slug)
        else None
    )
    if found is None:
        raise DirectoryError(Text(_("there is no API entry point {slug!r}"), slug=slug))
    return found


async def rotate_key(slug: str, *, actor_name: str = CLI) -> Issued:
    """A new key; the old one stops working at once."""
    api = await _get(slug)
    key = _new_key()
    async with in_transaction():
        api.key_hash, api.key_hint, api.key_rotated_at = hash_key(key), key[:HINT_LENGTH], now()
        await api.save(update_fields=["key_hash", "key_hint", "key_rotated_at"])
        await audit.record(
            "entry_point.key", at=now(), actor_name=actor_name, entry_point=api.entry_point.key
        )
    return Issued(api.entry_point, key, None)


async def set_webhook(
    slug: str, url: str | None, *, new_secret_too: bool = False, actor_name: str = CLI
) -> Issued:
    """Point the webhook at `url` (None: no webhook). A secret is made with the first URL,
    and again when asked; it is returned only then."""
    if url:
        check_webhook_url(url)
    api = await _get(slug)
    secret = None
    if url and (api.webhook_secret is None or new_secret_too):
        secret = api.webhook_secret = new_secret()
    api.webhook_url = url or None
    if not url:
        api.webhook_secret = None
    async with in_transaction():
        await api.save(update_fields=["webhook_url", "webhook_secret"])
        await audit.record(
            "entry_point.webhook",
            at=now(),
            actor_name=actor_name,
            new=url or None,
            entry_point=api.entry_point.key,
        )
    return Issued(api.entry_point, None, secret)


async def authenticate(key: str) -> ApiEntryPoint | None:
    """The entry point whose key `key` is, with its entry point; None for any other."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    return await ApiEntryPoint.filter(key_hash=hash_key(key)).select_related("entry_point").first()


@dataclass(frozen=True)
class ApiEntryPointRow:
    api: ApiEntryPoint
    line: str
    last_webhook: Delivery | None


async def list_api_entry_points() -> list[ApiEntryPointRow]:
    """Each API entry point with its line and its webhook's last delivery (sent, pending or
    dead, with the error)."""
    rows = []
    for api in await ApiEntryPoint.all().select_related("entry_point__line").order_by("id"):
        last = (
            await Delivery.filter(target=webhook_target(api.entry_point_id))  # type: ignore[attr-defined]
            .order_by("-id")
            .first()
        )
        rows.append(ApiEntryPointRow(api, api.entry_point.line.slug, last))
    return rows
