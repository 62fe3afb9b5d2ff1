"""Quick replies as the directory keeps them: created, changed and removed, each change audited
in its transaction. The file import upserts by name; the admin panel creates, edits by id and
removes. Sending them is `bot.conversations.quick_reply_texts`' job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from bot.base import audit
from bot.base.i18n import Text, _
from bot.directory import CLI, Change, DirectoryError, changed_columns, now
from bot.directory.checks import check_quick_reply
from bot.directory.lines import get_line
from bot.directory.operators import find_operator
from storage.models import Line, Operator, QuickReply

# Values that pass every check, to look at one part of a form at a time.
_FINE = {"name": "ok", "scope": "global", "texts": {"en": "ok"}}


DUPLICATE = _("there is already a quick reply {name!r} here")


class DuplicateName(DirectoryError):
    """Another reply of the same scope and owner already has this name: `/q name` could not
    tell them apart."""


def problems_of(values: Mapping[str, Any]) -> dict[str, DirectoryError]:
    """Every problem of a form at once, by field: `check_quick_reply` stops at the first, and a
    person fixing a form wants to see all of them."""
    parts = (
        {"name": values.get("name")},
        {k: values.get(k) for k in ("scope", "line", "operator") if k in values},
        {"texts": values.get("texts")},
    )
    found: dict[str, DirectoryError] = {}
    for part in parts:
        try:
            check_quick_reply(_FINE | part)
        except DirectoryError as error:
            found.setdefault(error.field or "", error)
    return found


async def _owner(cleaned: Mapping[str, Any]) -> tuple[Line | None, Operator | None]:
    line = await get_line(cleaned["line"]) if cleaned["line"] else None
    operator = await find_operator(cleaned["operator"]) if cleaned["operator"] else None
    return line, operator


def _same_place(name: str, scope: str, line: Line | None, operator: Operator | None) -> Any:
    return QuickReply.filter(
        name__iexact=name,  # `/q name` ignores case, so must every comparison of names
        scope=scope,
        line_id=line.id if line else None,
        operator_id=operator.id if operator else None,
    )


async def _audit(
    action: str, reply: QuickReply, actor_name: str, actor: Operator | None, **values: Any
) -> None:
    line = await reply.line if reply.line_id else None  # type: ignore[attr-defined]
    await audit.record(
        action,
        at=now(),
        actor=actor,
        actor_name=actor_name,
        quick_reply=reply.name,
        scope=reply.scope,
        line=line.slug if line else None,
        owner=reply.operator_id,  # type: ignore[attr-defined]
        **values,
    )


async def save_quick_reply(
    values: Mapping[str, Any], *, actor_name: str = CLI, actor: Operator | None = None
) -> tuple[QuickReply, Change]:
    """Upsert by (name, scope, line, operator): the same name may differ per line or person,
    the nearest scope winning when an operator types it."""
    cleaned = check_quick_reply(values)
    async with in_transaction():
        line, operator = await _owner(cleaned)
        reply = await _same_place(cleaned["name"], cleaned["scope"], line, operator).first()
        if reply is None:
            reply = await QuickReply.create(
                name=cleaned["name"],
                scope=cleaned["scope"],
                line=line,
                operator=operator,
                texts=cleaned["texts"],
            )
            await _audit("quick_reply.created", reply, actor_name, actor, new=reply.name)
            return reply, "created"
        changes = changed_columns(reply, {"name": cleaned["name"], "texts": cleaned["texts"]})
        if not changes:
            return reply, "unchanged"
        reply.name, reply.texts = cleaned["name"], cleaned["texts"]
        await reply.save(update_fields=["name", "texts", "updated_at"])
        await _audit(
            "quick_reply.updated",
            reply,
            actor_name,
            actor,
            new=", ".join(changes),
            changes=changes,
        )
    return reply, "updated"


async def create_quick_reply(
    values: Mapping[str, Any], *, actor_name: str = CLI, actor: Operator | None = None
) -> QuickReply:
    """A new reply; unlike the upsert, a name already used in the same place is refused."""
    cleaned = check_quick_reply(values)
    async with in_transaction():
        line, operator = await _owner(cleaned)
        if await _same_place(cleaned["name"], cleaned["scope"], line, operator).exists():
            raise DuplicateName(Text(DUPLICATE, name=cleaned["name"]), "name")
        return (await save_quick_reply(values, actor_name=actor_name, actor=actor))[0]


async def get_quick_reply(reply_id: int) -> QuickReply:
    reply = await QuickReply.get_or_none(id=reply_id)
    if reply is None:
        raise DirectoryError(Text(_("there is no quick reply {id}"), id=reply_id))
    return reply


async def update_quick_reply(
    reply_id: int,
    values: Mapping[str, Any],
    *,
    actor_name: str = CLI,
    actor: Operator | None = None,
) -> tuple[QuickReply, Change]:
    """Everything may change, the scope and owner too; the name must stay unique where the
    reply ends up."""
    cleaned = check_quick_reply(values)
    async with in_transaction():
        reply = await get_quick_reply(reply_id)
        line, operator = await _owner(cleaned)
        columns = {
            "name": cleaned["name"],
            "scope": cleaned["scope"],
            "line_id": line.id if line else None,
            "operator_id": operator.id if operator else None,
            "texts": cleaned["texts"],
        }
        changes = changed_columns(reply, columns)
        if not changes:
            return reply, "unchanged"
        place = _same_place(cleaned["name"], cleaned["scope"], line, operator)
        if await place.exclude(id=reply.id).exists():
            raise DuplicateName(Text(DUPLICATE, name=cleaned["name"]), "name")
        for name, (_, new) in changes.items():
            setattr(reply, name, new)
        await reply.save(update_fields=[*changes, "updated_at"])
        await _audit(
            "quick_reply.updated",
            reply,
            actor_name,
            actor,
            new=", ".join(changes),
            changes=changes,
        )
    return reply, "updated"


async def remove_quick_reply(
    reply_id: int, *, actor_name: str = CLI, actor: Operator | None = None
) -> QuickReply:
    """Gone at once from `/q`; a button already offered for it answers that it is gone."""
    async with in_transaction():
        reply = await get_quick_reply(reply_id)
        await _audit("quick_reply.removed", reply, actor_name, actor, old=reply.name)
        await reply.delete()
    return reply
