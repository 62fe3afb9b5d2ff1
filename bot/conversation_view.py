"""How a conversation looks in its workspace: the header card and the thread title."""

from __future__ import annotations

from bot.cards import Button, Card
from bot.i18n import Text, _
from storage.models import Conversation, ConversationStatus

STATE_ICONS = {
    ConversationStatus.QUEUED: "🆕",
    ConversationStatus.OPEN: "💬",
    ConversationStatus.SNOOZED: "💤",
    ConversationStatus.CLOSED: "✅",
}
STATE_NAMES = {
    ConversationStatus.QUEUED: _("new"),
    ConversationStatus.OPEN: _("in progress"),
    ConversationStatus.SNOOZED: _("snoozed"),
    ConversationStatus.CLOSED: _("closed"),
}
TITLE_LIMIT = 128


def thread_title(conversation: Conversation) -> str:
    """Forum topic names are capped at 128 characters; the number and state must survive."""
    icon = STATE_ICONS[conversation.status]
    suffix = f" #{conversation.number}"
    name = conversation.contact.name.replace("\n", " ").strip() or "?"
    room = TITLE_LIMIT - len(icon) - 1 - len(suffix)
    if len(name) > room:
        name = name[: room - 1] + "…"
    return f"{icon} {name}{suffix}"


async def header_card(conversation: Conversation) -> Card:
    """Needs contact, identity, entry_point and assignee fetched."""
    identity = conversation.identity
    earlier = await Conversation.filter(
        contact_id=conversation.contact_id,
        id__lt=conversation.id,  # type: ignore[attr-defined]
    ).count()
    assignee = conversation.assignee
    fields: list[tuple[Text, str | Text]] = [
        (Text(_("Customer")), conversation.contact.name),
        (Text(_("Username")), f"@{identity.username}" if identity.username else "—"),
        (Text(_("Language")), identity.language or "—"),
        (Text(_("Channel")), identity.channel),
        (Text(_("Entry point")), conversation.entry_point.name),
        (Text(_("Earlier conversations")), str(earlier)),
        (Text(_("Status")), Text(STATE_NAMES[conversation.status])),
        (Text(_("Assignee")), assignee.name if assignee else "—"),
    ]
    buttons: list[Button] = []
    if conversation.status == ConversationStatus.CLOSED:
        buttons.append(Button(Text(_("Reopen")), "reopen", conversation.id))
    else:
        buttons.append(Button(Text(_("Take")), "take", conversation.id))
        buttons.append(Button(Text(_("Close")), "close", conversation.id))
    return Card(
        title=Text(_("Conversation #{number}"), number=conversation.number),
        fields=fields,
        buttons=buttons,
    )


async def load_for_view(conversation_id: int) -> Conversation:
    return await Conversation.get(id=conversation_id).prefetch_related(
        "contact", "identity", "entry_point", "assignee", "thread", "line"
    )
