"""Which contacts a person may see and link: the one rule behind the panel's address book
and the chat's /link, /contact and /history, so that the two cannot drift apart.

Admins see every contact. Supervisors and operators see the contacts that have a
conversation in one of their lines (the lines they are members of); a contact merged
away is seen as the contact it became a part of. Whoever is refused a contact is told
what they would be told of a contact that does not exist: a refusal must not confirm
that a customer of another line is there."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from storage.models import Contact, Conversation, LineMember, Operator

ADMIN = "admin"
_MERGE_HOPS = 8  # a merged contact's survivor may have been merged in turn


@dataclass(frozen=True)
class Sight:
    """The lines whose contacts someone sees; None: every line (admins)."""

    line_ids: frozenset[int] | None

    def sees_line(self, line_id: int) -> bool:
        return self.line_ids is None or line_id in self.line_ids


EVERYTHING = Sight(None)


async def sight_of(role: str, operator: Operator | None) -> Sight:
    """An admin's, or the lines `operator` is a member of (none without an operator)."""
    if role == ADMIN:
        return EVERYTHING
    ids = await LineMember.filter(operator_id=operator.id if operator else 0).values_list(
        "line_id", flat=True
    )
    return Sight(frozenset(ids))


def contacts_seen(sight: Sight) -> QuerySet[Contact]:
    """Every contact (merged ones too) with a conversation in the sight's lines."""
    if sight.line_ids is None:
        return Contact.all()
    theirs = Conversation.filter(line_id__in=sorted(sight.line_ids)).values("contact_id")
    return Contact.filter(id__in=Subquery(theirs))


async def sees_contact(sight: Sight, contact: Contact) -> bool:
    if sight.line_ids is None:
        return True
    for _ in range(_MERGE_HOPS):
        if contact.merged_into_id is None:
            break
        survivor = await Contact.get_or_none(id=contact.merged_into_id)
        if survivor is None:
            return False
        contact = survivor
    return await Conversation.exists(contact_id=contact.id, line_id__in=sorted(sight.line_ids))
