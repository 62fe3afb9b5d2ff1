"""What a visitor is asked before their first message: the entry point's pre-chat form (a name
and an email, each off, optional or required), or, while the line is outside its business
hours, the offline form (a name and an email, both required, and the message). The widget
shows the form the welcome names; the server asks the same when a message arrives, so a
page that skips the form gets the same refusal.

A visitor the desk knows (their contact exists) is not asked the pre-chat form again; the
offline form is asked only of a visitor with no open conversation and no email on file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.base.i18n import Text, _
from bot.directory.business_hours import is_open, open_spans
from bot.people.contacts import MAX_LENGTHS, looks_like_email
from bot.webchat import CHANNEL
from storage.models import Conversation, Identity, Line, WebchatEntryPoint

OFF, OPTIONAL, REQUIRED = "off", "optional", "required"
# How far ahead "back at" is looked for: a line closed for longer says no time.
LOOK_AHEAD_DAYS = 8


@dataclass(frozen=True)
class Form:
    """The form a visitor is shown: `kind` prechat or offline, and each field's mode."""

    kind: str
    name: str
    email: str

    def shape(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "email": self.email}


@dataclass(frozen=True)
class Asked:
    """Where a visitor stands: the form they are asked (None: write at once), whether the
    team is away and when it is back (None: not known), and the name their identity has
    (None: a new visitor)."""

    form: Form | None
    away: bool
    back_at: datetime | None
    known_as: str | None

    def shape(self) -> dict[str, Any]:
        back = self.back_at.isoformat().replace("+00:00", "Z") if self.back_at else None
        return {
            "form": self.form.shape() if self.form else None,
            "away": {"back_at": back} if self.away else None,
        }


class FormRefused(Exception):
    """A message whose form values are missing or bad; `field` names the field."""

    def __init__(self, code: str, field: str, text: Text) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.text = text


@dataclass(frozen=True)
class Given:
    """The form's values that came with a message, checked."""

    name: str | None = None
    email: str | None = None


def back_at(hours: dict[str, Any] | None, now: datetime, zone: str) -> datetime | None:
    """When a line outside its hours opens next, within LOOK_AHEAD_DAYS."""
    if not hours:
        return None
    today = now.date()
    for start, _end in open_spans(
        hours, today - timedelta(days=1), today + timedelta(LOOK_AHEAD_DAYS), zone
    ):
        if start > now:
            return start
    return None


async def asked(webchat: WebchatEntryPoint, visitor: str, now: datetime, zone: str) -> Asked:
    """The form and hours for `visitor` (the identity's external id) now."""
    line = await Line.get(entry_points__id=webchat.entry_point_id)  # type: ignore[attr-defined]
    away = not is_open(line.business_hours, now, zone)
    identity = (
        await Identity.filter(channel=CHANNEL, external_id=visitor)
        .select_related("contact")
        .first()
    )
    contact = identity.contact if identity else None
    form = None
    if away and (contact is None or not contact.email):
        talking = contact is not None and await Conversation.exists(open_key=contact.id)
        if not talking:
            form = Form("offline", REQUIRED, REQUIRED)
    if form is None and contact is None and (webchat.form_name, webchat.form_email) != (OFF, OFF):
        form = Form("prechat", webchat.form_name, webchat.form_email)
    when = back_at(line.business_hours, now, zone) if away else None
    return Asked(form, away, when, identity.display_name if identity else None)


def _value(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if not isinstance(value, str):
        return None
    return " ".join(value.replace("\x00", "").split()) or None


def check(form: Form | None, body: dict[str, Any]) -> Given:
    """The name and email a message carries, checked against `form`; a bad email is refused
    even where it is optional. Without a form, values are taken as they come (checked)."""
    name, email = _value(body, "name"), _value(body, "email")
    modes = {"name": form.name, "email": form.email} if form else {}
    for field, value in (("name", name), ("email", email)):
        if modes.get(field) == REQUIRED and value is None:
            words = (
                _("Please write your name.") if field == "name" else _("Please write your email.")
            )
            raise FormRefused("form_required", field, Text(words))
        if value is not None and len(value) > MAX_LENGTHS[field]:
            raise FormRefused(
                "form_too_long",
                field,
                Text(_("At most {limit} characters, please."), limit=MAX_LENGTHS[field]),
            )
    if email is not None and not looks_like_email(email):
        raise FormRefused(
            "bad_email",
            "email",
            Text(_("{value} does not look like an email address."), value=email[:80]),
        )
    if form is not None:  # a field that is off is not taken
        name = name if form.name != OFF else None
        email = email if form.email != OFF else None
    return Given(name, email)
