"""Contacts: the client card's fields, banning, finding a contact and merging two into one.

Operators' commands and the admin panel change contacts only through here, so the
rules (what a phone looks like, what a merge moves, what gets audited) live in one place.
Every change is one transaction with its audit entry; a refusal raises `ContactRefusal`
before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.bounds import row_id
from bot.base.i18n import Text, _
from bot.people.contact_visibility import Sight, sees_contact
from storage.models import Contact, Conversation, Identity, Operator, Thread

EDITABLE_FIELDS = ("name", "phone", "email", "company", "notes", "tags")
CLEAR = "-"  # `/contact phone -` empties the field
# The fields a merge copies from the merged contact when the surviving one has none.
FILLABLE_FIELDS = ("name", "language", "phone", "email", "company", "notes")
MAX_LENGTHS = {"name": 256, "phone": 64, "email": 254, "company": 256, "notes": 1000}
MAX_TAG = 32

_PHONE = re.compile(r"^\+?[\d\s()\-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PHONE_DIGITS = range(5, 21)


class ContactRefusal(Exception):
    """A change that was refused, nothing written; `text` tells the operator why."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for the audit trail: an operator, or a name ("admin", "cli"); and
    the conversation it was made from, when there is one."""

    operator: Operator | None = None
    name: str | None = None
    conversation: Conversation | None = None

    def audit_args(self) -> dict[str, Any]:
        return {
            "actor": self.operator,
            "actor_name": self.name,
            "conversation": self.conversation,
        }


# -- field values --------------------------------------------------------------------------


def normalize_phone(raw: str) -> str | None:
    """`+7 (495) 123-45-67` -> `+74951234567`; None when it does not look like a phone.
    Phones are stored this way so that `/link <phone>` finds them however they are typed."""
    value = raw.strip()
    if not _PHONE.match(value):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) not in PHONE_DIGITS:
        return None
    return ("+" if value.startswith("+") else "") + digits


def looks_like_email(raw: str) -> bool:
    return bool(_EMAIL.match(raw.strip()))


def parse_tags(raw: str) -> list[str]:
    """Comma-separated, blanks dropped, repeats (in any case) kept once, order kept."""
    tags: list[str] = []
    for tag in (part.strip() for part in raw.split(",")):
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags


def union_tags(first: list[str], second: list[str]) -> list[str]:
    return parse_tags(",".join([*first, *second]))


def check_field(field: str) -> None:
    """Raises `ContactRefusal` naming the fields when `field` is not one of them."""
    if field not in EDITABLE_FIELDS:
        raise ContactRefusal(
            Text(
                _("There is no field {field}. Fields: {fields}."),
                field=field,
                fields=", ".join(EDITABLE_FIELDS),
            )
        )


def parse_value(field: str, raw: str) -> str | list[str] | None:
    """The value to store for `raw` typed by an operator; raises `ContactRefusal`."""
    raw = raw.strip()
    check_field(field)
    if raw == CLEAR:
        if field == "name":
            raise ContactRefusal(Text(_("The name cannot be empty.")))
        return [] if field == "tags" else None
    if field == "tags":
        tags = parse_tags(raw)
        if any(len(tag) > MAX_TAG for tag in tags):
            raise ContactRefusal(Text(_("A tag is at most {limit} characters."), limit=MAX_TAG))
        return tags
    if len(raw) > MAX_LENGTHS[field]:
        raise ContactRefusal(
            Text(_("That is too long: at most {limit} characters."), limit=MAX_LENGTHS[field])
        )
    if field == "phone":
        phone = normalize_phone(raw)
        if phone is None:
            raise ContactRefusal(
                Text(
                    _(
                        "{value} does not look like a phone number: use digits, spaces, +, - and parentheses, 5 to 20 digits."  # noqa: E501
                    ),
                    value=raw,
                )
            )
        return phone
    if field == "email" and not looks_like_email(raw):
        raise ContactRefusal(Text(_("{value} does not look like an email address."), value=raw))
    return raw


def shown(value: str | list[str] | None) -> str | None:
    """A field's value as the audit trail keeps it."""
    if isinstance(value, list):
        return ", ".join(value) or None
    return value


# -- changes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


async def update_field(
    contact: Contact, field: str, raw: str, *, at: datetime, by: Actor
) -> FieldChange:
    """Set one field from what an operator typed (`-` clears it). Raises `ContactRefusal`
    for an unknown field, a bad value, or a value equal to the current one."""
    value = parse_value(field, raw)
    old = getattr(contact, field)
    if value == old or (not value and not old):
        raise ContactRefusal(Text(_("Nothing to change: {field} is already that."), field=field))
    async with in_transaction():
        setattr(contact, field, value)
        await contact.save(update_fields=[field])
        await audit.record(
            "contact.updated",
            at=at,
            old=shown(old),
            new=shown(value),
            contact=contact.id,
            field=field,
            **by.audit_args(),
        )
    return FieldChange(field, shown(old), shown(value))


async def set_banned(
    contact: Contact, banned: bool, *, at: datetime, by: Actor, reason: str | None = None
) -> None:
    """Ban or unban; the inbox drops a banned contact's messages. Raises `ContactRefusal`
    when the contact already is in that state."""
    if contact.banned == banned:
        raise ContactRefusal(
            Text(_("The customer is already banned."))
            if banned
            else Text(_("The customer is not banned."))
        )
    async with in_transaction():
        contact.banned = banned
        await contact.save(update_fields=["banned"])
        await audit.record(
            "contact.banned" if banned else "contact.unbanned",
            at=at,
            old=not banned,
            new=banned,
            contact=contact.id,
            reason=reason,
            **by.audit_args(),
        )


# -- finding -------------------------------------------------------------------------------


async def find_contacts(query: str, *, seen_by: Sight) -> list[Contact]:
    """Contacts an operator means by `#12`, `12`, `@username` (of any identity), a phone or
    an email; several when a phone or an email is shared. A bare short number is an id
    first, then a phone. `#id` finds merged contacts too, so that a merge can say where the
    contact went. Only contacts `seen_by` may see are found: the others are not there."""
    return [c for c in await _find(query.strip()) if await sees_contact(seen_by, c)]


async def _find(query: str) -> list[Contact]:
    if query.startswith("#") and query[1:].isascii() and query[1:].isdigit():
        number = row_id(query[1:])  # None: larger than any contact's number
        return await Contact.filter(id=number) if number is not None else []
    number = row_id(query) if len(query) < 10 else None  # ten digits: a phone
    if number is not None:
        found = await Contact.filter(id=number)
        if found:
            return found
    if query.startswith("@") and len(query) > 1:
        ids = await Identity.filter(username__iexact=query[1:]).values_list("contact_id", flat=True)
        return await Contact.filter(id__in=list(ids)).order_by("id")
    live = Contact.filter(merged_into_id=None)  # a merged contact keeps its phone and email
    if "@" in query:
        return await live.filter(email__iexact=query).order_by("id")
    phone = normalize_phone(query)
    if phone is None:
        return []
    digits = phone.lstrip("+")
    return await live.filter(phone__in=[digits, f"+{digits}"]).order_by("id")


def not_found(query: str) -> Text:
    """The answer for a contact that does not exist, or that the asker may not see."""
    return Text(
        _("No contact matches {query}. Try #number, @username, a phone or an email."),
        query=query,
    )


# -- merging -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    source_id: int
    target: Contact
    identities: int
    conversations: int
    threads_moved: list[int]
    threads_kept: list[int]


async def merge(
    source: Contact, target: Contact, *, at: datetime, by: Actor, seen_by: Sight
) -> MergeResult:
    """Make `source` a part of `target`: one contact, one history across channels.

    Identities and conversations move; the target's empty fields are filled and the tags
    joined. A thread moves too unless the target already has one in that line (one thread
    per contact and line): then it stays with `source` and its conversations keep using
    it, so the topic keeps working. The open conversation's `open_key` follows the
    contact, so the customer's next message lands in it. `source` stays as a tombstone
    (`merged_into_id`) for the audit trail. Raises `ContactRefusal`; nothing changes then,
    and a target `seen_by` may not see is refused as one that does not exist."""
    if not await sees_contact(seen_by, target):
        raise ContactRefusal(not_found(f"#{target.id}"))
    await _check_mergeable(source, target)
    try:
        async with in_transaction():
            result = await _move_everything(source, target)
            await audit.record(
                "contact.merged",
                at=at,
                old=source.id,
                new=target.id,
                source=source.id,
                target=target.id,
                threads_kept=result.threads_kept,
                **by.audit_args(),
            )
    except IntegrityError as error:
        # The target's customer opened a conversation between the check and the move.
        raise ContactRefusal(
            Text(
                _("Contact #{number} has just opened a conversation. Try again later."),
                number=target.id,
            )
        ) from error
    return result


async def _check_mergeable(source: Contact, target: Contact) -> None:
    if target.id == source.id:
        raise ContactRefusal(
            Text(_("This customer already is contact #{number}."), number=target.id)
        )
    if target.merged_into_id is not None:
        raise ContactRefusal(
            Text(
                _("Contact #{number} was merged into contact #{other}: link to #{other}."),
                number=target.id,
                other=target.merged_into_id,
            )
        )
    if source.merged_into_id is not None:
        raise ContactRefusal(Text(_("Contact #{number} was merged already."), number=source.id))
    theirs = await Conversation.get_or_none(open_key=target.id)
    ours = await Conversation.exists(open_key=source.id)
    if theirs is not None and ours:
        raise ContactRefusal(
            Text(
                _(
                    "Contact #{number} has an open conversation #{other}: close it first, then link again."  # noqa: E501
                ),
                number=target.id,
                other=theirs.number,
            )
        )


async def _move_everything(source: Contact, target: Contact) -> MergeResult:
    identities = await Identity.filter(contact_id=source.id).update(contact_id=target.id)
    conversations = await Conversation.filter(contact_id=source.id).update(contact_id=target.id)
    await Conversation.filter(open_key=source.id).update(open_key=target.id)
    moved, kept = await _move_threads(source, target)
    for field in FILLABLE_FIELDS:
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    target.tags = union_tags(target.tags or [], source.tags or [])
    await target.save(update_fields=[*FILLABLE_FIELDS, "tags"])
    source.merged_into_id = target.id
    await source.save(update_fields=["merged_into_id"])
    return MergeResult(source.id, target, identities, conversations, moved, kept)


async def _move_threads(source: Contact, target: Contact) -> tuple[list[int], list[int]]:
    """Thread ids moved to the target, and those left with the source (a clash of lines)."""
    taken = set(await Thread.filter(contact_id=target.id).values_list("line_id", flat=True))
    moved: list[int] = []
    kept: list[int] = []
    for thread in await Thread.filter(contact_id=source.id).order_by("id"):
        (kept if thread.line_id in taken else moved).append(thread.id)  # type: ignore[attr-defined]
    if moved:
        await Thread.filter(id__in=moved).update(contact_id=target.id)
    return moved, kept
