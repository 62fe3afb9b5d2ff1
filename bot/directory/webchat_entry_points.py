"""Web chat entry points: a site's widget, found by the public key its snippet carries, and
the sites (origins) allowed to use it.

The public key is public by design (it is in the page's HTML); what keeps other sites out is
the list of allowed origins, checked on every connection. Rotating the key makes old
snippets stop working. Visitor tokens are signed with the entry point's own secret."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.directory import CLI, DirectoryError, now
from bot.directory.lines import get_line
from bot.webchat import CHANNEL
from storage.models import EntryPoint, WebchatEntryPoint

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,15}")
KEY_PREFIX = "wc_"
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
POSITIONS = ("right", "left")
MAX_TITLE = 64
MAX_ORIGINS = 20
FORM_MODES = ("off", "optional", "required")  # each field of the pre-chat form


def webchat_key_of(slug: str) -> str:
    return f"webchat:{slug}"


def _new_public_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(16)


def _check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise DirectoryError(
            Text(
                _(
                    "web chat entry point {slug!r} should be 1 to 16 small letters, digits "
                    "and dashes (shop, site-eu)"
                ),
                slug=slug,
            )
        )
    return slug


def normal_origin(origin: str) -> str:
    """`https://Shop.example:443/` -> `https://shop.example`: as a browser sends Origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    bad = (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    )
    if bad:
        raise DirectoryError(
            Text(
                _(
                    "origin {origin!r} should be a site's address without a path, like "
                    "https://shop.example or http://localhost:8000"
                ),
                origin=origin[:80],
            )
        )
    assert parts is not None and parts.hostname is not None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _origins(origins: list[str]) -> list[str]:
    found = list(dict.fromkeys(normal_origin(o) for o in origins))
    if len(found) > MAX_ORIGINS:
        raise DirectoryError(
            Text(_("at most {count} allowed origins per web chat entry point"), count=MAX_ORIGINS)
        )
    return found


def _look(title: str | None, color: str | None, position: str | None) -> dict[str, str | None]:
    look: dict[str, str | None] = {}
    if title is not None:
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            raise DirectoryError(
                Text(_("the widget's title is longer than {count} characters"), count=MAX_TITLE)
            )
        look["title"] = title or None
    if color is not None:
        if not COLOR.fullmatch(color):
            raise DirectoryError(
                Text(_("colour {color!r} should be like #1f6feb"), color=color[:16])
            )
        look["color"] = color.lower()
    if position is not None:
        if position not in POSITIONS:
            raise DirectoryError(
                Text(_("position {position!r} should be right or left"), position=position[:16])
            )
        look["position"] = position
    return look


async def create_webchat_entry_point(
    slug: str,
    line_slug: str,
    *,
    origins: list[str],
    name: str | None = None,
    title: str | None = None,
    color: str | None = None,
    position: str | None = None,
    actor_name: str = CLI,
) -> WebchatEntryPoint:
    _check_slug(slug)
    allowed = _origins(origins)
    look = _look(title, color, position)
    async with in_transaction():
        line = await get_line(line_slug)
        if await EntryPoint.exists(key=webchat_key_of(slug)):
            exists = _("entry point {key!r} exists already")
            raise DirectoryError(Text(exists, key=webchat_key_of(slug)))
        entry = await EntryPoint.create(
            key=webchat_key_of(slug), channel=CHANNEL, name=(name or slug)[:128], line=line
        )
        webchat = await WebchatEntryPoint.create(
            entry_point=entry,
            public_key=_new_public_key(),
            allowed_origins=allowed,
            visitor_secret=secrets.token_urlsafe(32),
            **look,
        )
        await audit.record(
            "entry_point.set", at=now(), actor_name=actor_name, new=line.slug, entry_point=entry.key
        )
    webchat.entry_point = entry
    return webchat


async def get_webchat(slug: str) -> WebchatEntryPoint:
    found = (
        await WebchatEntryPoint.filter(entry_point__key=webchat_key_of(slug))
        .select_related("entry_point__line")
        .first()
        if SLUG.fullmatch(slug)
        else None
    )
    if found is None:
        raise DirectoryError(Text(_("there is no web chat entry point {slug!r}"), slug=slug))
    return found


async def set_origins(
    slug: str,
    *,
    add: list[str] = (),  # type: ignore[assignment]
    remove: list[str] = (),  # type: ignore[assignment]
    actor_name: str = CLI,
) -> WebchatEntryPoint:
    webchat = await get_webchat(slug)
    gone = set(_origins(list(remove)))
    allowed = _origins([o for o in webchat.allowed_origins if o not in gone] + list(add))
    if allowed != webchat.allowed_origins:
        webchat.allowed_origins = allowed
        async with in_transaction():
            await webchat.save(update_fields=["allowed_origins"])
            await audit.record(
                "entry_point.origins",
                at=now(),
                actor_name=actor_name,
                new=" ".join(allowed) or None,
                entry_point=webchat.entry_point.key,
            )
    return webchat


async def set_look(
    slug: str,
    *,
    title: str | None = None,
    color: str | None = None,
    position: str | None = None,
) -> WebchatEntryPoint:
    webchat = await get_webchat(slug)
    look = _look(title, color, position)
    if look:
        for name, value in look.items():
            setattr(webchat, name, value)
        await webchat.save(update_fields=list(look))
    return webchat


def _form(name: str | None, email: str | None) -> dict[str, str]:
    form = {}
    for field, mode in (("form_name", name), ("form_email", email)):
        if mode is None:
            continue
        if mode not in FORM_MODES:
            raise DirectoryError(
                Text(_("{mode!r} should be off, optional or required"), mode=mode[:16])
            )
        form[field] = mode
    return form


async def set_form(
    slug: str, *, name: str | None = None, email: str | None = None, actor_name: str = CLI
) -> WebchatEntryPoint:
    """The pre-chat form: whether a new visitor is asked for a name and an email before the
    first message (off, optional or required; None leaves a field as it is)."""
    webchat = await get_webchat(slug)
    form = _form(name, email)
    changed = {k: v for k, v in form.items() if getattr(webchat, k) != v}
    if changed:
        for field, mode in changed.items():
            setattr(webchat, field, mode)
        async with in_transaction():
            await webchat.save(update_fields=list(changed))
            await audit.record(
                "entry_point.form",
                at=now(),
                actor_name=actor_name,
                new=f"name {webchat.form_name}, email {webchat.form_email}",
                entry_point=webchat.entry_point.key,
            )
    return webchat


async def rotate_public_key(slug: str, *, actor_name: str = CLI) -> WebchatEntryPoint:
    """A new public key: snippets with the old one stop working at once (visitors keep
    their conversations: tokens do not depend on the key)."""
    webchat = await get_webchat(slug)
    webchat.public_key, webchat.key_rotated_at = _new_public_key(), now()
    async with in_transaction():
        await webchat.save(update_fields=["public_key", "key_rotated_at"])
        await audit.record(
            "entry_point.key", at=now(), actor_name=actor_name, entry_point=webchat.entry_point.key
        )
    return webchat


async def by_public_key(key: str) -> WebchatEntryPoint | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 40:
        return None
    return await WebchatEntryPoint.filter(public_key=key).select_related("entry_point").first()


async def list_webchat_entry_points() -> list[WebchatEntryPoint]:
    return await WebchatEntryPoint.all().select_related("entry_point__line").order_by("id")


@dataclass(frozen=True)
class Snippet:
    base_url: str
    public_key: str

    def __str__(self) -> str:
        return (
            f'<script src="{self.base_url.rstrip("/")}/webchat/widget.js" '
            f'data-key="{self.public_key}" async></script>'
        )
