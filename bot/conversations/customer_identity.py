"""Who wrote: the identity of a customer's message, with its contact, made on first contact
and kept up to date with what the messenger says of the person."""

from __future__ import annotations

from bot.base.events import CustomerRef
from storage.models import Contact, Identity
from storage.prepared import Prepared

# Read for every customer message: built once (`storage.prepared`).
_IDENTITY_WITH_CONTACT: Prepared[Identity | None] = Prepared(
    Identity,
    lambda channel, external_id: (
        Identity.filter(channel=channel, external_id=external_id).select_related("contact").first()
    ),
)
_KNOWN: Prepared[list[tuple[str, str]]] = Prepared(
    Identity,
    lambda channels, external_ids: Identity.filter(
        channel__in=channels, external_id__in=external_ids
    ).values_list("channel", "external_id"),
)


async def identity_of(ref: CustomerRef, found: Identity | None = None) -> Identity:
    """The customer's identity, with its contact; `found`: that identity as just read, with
    its contact."""
    identity, _ = await identity_seen(ref, found)
    return identity


async def identity_seen(ref: CustomerRef, found: Identity | None = None) -> tuple[Identity, bool]:
    """`identity_of`, and whether it was made just now: the customer's first contact (their
    contact is new too, with no conversations yet)."""
    identity = found or await _IDENTITY_WITH_CONTACT(ref.channel, ref.external_id)
    if identity is None:
        return await first_identity(ref), True
    await _fill_contact(identity, ref)
    changed = (identity.username, identity.display_name, identity.language) != (
        ref.username,
        ref.display_name,
        ref.language,
    )
    if changed or identity.blocked_at:
        identity.username = ref.username
        identity.display_name = ref.display_name
        identity.language = ref.language or identity.language
        identity.blocked_at = None
        await identity.save()
    return identity, False


async def first_identity(ref: CustomerRef) -> Identity:
    """The identity of a customer who writes for the first time, with their new contact."""
    contact = await Contact.create(name=ref.display_name, language=ref.language, email=ref.email)
    return await Identity.create(
        contact=contact,
        channel=ref.channel,
        external_id=ref.external_id,
        username=ref.username,
        display_name=ref.display_name,
        language=ref.language,
    )


async def known_identities(refs: list[CustomerRef]) -> set[tuple[str, str]]:
    """The (channel, external id) of those of `refs` who wrote before (one statement)."""
    channels = sorted({ref.channel for ref in refs})
    external_ids = sorted({ref.external_id for ref in refs})
    return set(await _KNOWN(channels, external_ids))


async def _fill_contact(identity: Identity, ref: CustomerRef) -> None:
    """What a customer tells of themselves later (a web chat form) fills what the contact
    lacks: an email where there is none, a name where the contact still has the name it got
    from this identity. What an operator wrote on the card is kept."""
    contact = identity.contact
    fields = []
    if ref.email and not contact.email:
        contact.email = ref.email
        fields.append("email")
    named = ref.name_given and ref.display_name != identity.display_name
    if named and contact.name == identity.display_name:
        contact.name = ref.display_name
        fields.append("name")
    if fields:
        await contact.save(update_fields=fields)
