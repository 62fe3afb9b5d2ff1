"""How a conversation looks in its workspace: the header card and the thread title."""

from __future__ import annotations

from tortoise.expressions import RawSQL, Subquery
from tortoise.functions import Max
from tortoise.queryset import QuerySet

from bot.base.cards import Button, Card
from bot.base.i18n import Text, _
from bot.base.reads_together import ReadsTogether
from storage.models import Conversation, ConversationStatus, Thread
from storage.prepared import Prepared, padded

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


MOVED_ICON = "↪️"
RESULT_NAMES = {
    "solved": _("solved"),
    "unsolved": _("not solved"),
    "spam": _("spam"),
    "auto": _("closed for inactivity"),
    "rule": _("closed by a rule"),
}
CLOSING_RESULTS = ("solved", "unsolved", "spam")


def thread_title(conversation: Conversation, thread_id: int | None = None) -> str:
    """Forum topic names are capped at 128 characters; the number and state must survive.
    The assignee follows the number; a thread the conversation moved away from says so."""
    moved = thread_id is not None and thread_id != conversation.thread_id  # type: ignore[attr-defined]
    icon = MOVED_ICON if moved else STATE_ICONS[conversation.status]
    assignee = conversation.assignee
    suffix = f" #{conversation.number}" + (f" · {assignee.name}" if assignee and not moved else "")
    name = conversation.contact.name.replace("\n", " ").strip() or "?"
    room = TITLE_LIMIT - len(icon) - 1 - len(suffix)
    if len(name) > room:
        name = name[: room - 1] + "…"
    return f"{icon} {name}{suffix}"


def header_card(conversation: Conversation, thread_id: int | None = None) -> Card:
    """Of a conversation read by `load_for_view` or `latest_view_in`. Shown in another thread
    than the conversation's (it was transferred away), the card has no buttons."""
    identity = conversation.identity
    earlier = conversation.earlier  # type: ignore[attr-defined]
    assignee = conversation.assignee
    fields: list[tuple[Text, str | Text]] = [
        (Text(_("Customer")), conversation.contact.name),
        (Text(_("Username")), f"@{identity.username}" if identity.username else "—"),
        (Text(_("Language")), identity.language or "—"),
        (Text(_("Channel")), identity.channel),
        *([(Text(_("Email")), conversation.contact.email)] if conversation.contact.email else []),
        (Text(_("Entry point")), conversation.entry_point.name),
        (Text(_("Earlier conversations")), str(earlier)),
        (Text(_("Line")), conversation.line.name),
        (Text(_("Status")), _status(conversation)),
        (Text(_("Assignee")), assignee.name if assignee else Text(_("nobody (in the queue)"))),
    ]
    if conversation.topic:
        fields.append((Text(_("Topic")), conversation.topic))
    if conversation.result:
        fields.append((Text(_("Result")), Text(RESULT_NAMES.get(conversation.result, "?"))))
    if conversation.csat_score:
        fields.append(
            (Text(_("Rating")), "★" * conversation.csat_score + f" {conversation.csat_score}/5")
        )
    title = Text(_("Conversation #{number}"), number=conversation.number)
    buttons: list[Button] = []
    moved = thread_id is not None and thread_id != conversation.thread_id  # type: ignore[attr-defined]
    if moved:
        return Card(title=title, fields=fields, buttons=[])
    if conversation.status == ConversationStatus.CLOSED:
        buttons.append(Button(Text(_("Reopen")), "reopen", conversation.id))
    else:
        buttons.append(Button(Text(_("Take")), "take", conversation.id))
        buttons.append(Button(Text(_("Transfer")), "transfer", conversation.id))
        buttons.append(Button(Text(_("Close")), "close", conversation.id))
    return Card(title=title, fields=fields, buttons=buttons)


def _status(conversation: Conversation) -> Text:
    if conversation.status == ConversationStatus.SNOOZED and conversation.snoozed_until:
        until = conversation.snoozed_until.strftime("%Y-%m-%d %H:%M UTC")
        return Text(_("snoozed until {time}"), time=until)
    return Text(STATE_NAMES[conversation.status])


# What a conversation's title and card show, read with it in one statement: its contact,
# identity, entry point, assignee and line, and how many conversations the contact had before
# it (`earlier`).
VIEWED = ("contact", "identity", "entry_point", "assignee", "line")
_EARLIER = RawSQL(
    '(SELECT COUNT(*) FROM "conversation" "older" WHERE '
    '"older"."contact_id"="conversation"."contact_id" AND "older"."id"<"conversation"."id")'
)


def _viewed(query: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return query.select_related(*VIEWED).annotate(earlier=_EARLIER)


_LOAD_FOR_VIEW: Prepared[Conversation] = Prepared(
    Conversation, lambda id: _viewed(Conversation.filter(id=id)).get()
)
# The latest conversation of each of these threads, viewed, with its thread.
_LATEST_VIEWS: Prepared[list[Conversation]] = Prepared(
    Conversation,
    lambda thread_ids: _viewed(
        Conversation.filter(
            id__in=Subquery(
                Conversation.filter(thread_id__in=thread_ids)
                .group_by("thread_id")
                .annotate(latest=Max("id"))
                .values("latest")
            )
        )
    ).select_related("thread"),
)


async def latest_views_in(thread_ids: list[int]) -> dict[int, Conversation]:
    """`latest_view_in` of each of these threads, by thread id, in one statement (a thread
    without a conversation is left out)."""
    found = await _LATEST_VIEWS(padded(thread_ids))
    return {conversation.thread_id: conversation for conversation in found}  # type: ignore[attr-defined]


_LATEST_VIEW = ReadsTogether(Conversation, latest_views_in)
# The latest conversation of each of these threads of a line's chat, with thread and line.
_LATEST_IN_CHAT_THREADS: Prepared[list[Conversation]] = Prepared(
    Conversation,
    lambda workspace_kind, chat, external_ids: Conversation.filter(
        id__in=Subquery(
            Conversation.filter(
                thread__line__workspace_kind=workspace_kind,
                thread__line__workspace_chat=chat,
                thread__workspace_kind=workspace_kind,
                thread__external_id__in=external_ids,
            )
            .group_by("thread_id")
            .annotate(latest=Max("id"))
            .values("latest")
        )
    ).select_related("thread", "thread__line"),
)
ChatThread = tuple[str, str, str]  # workspace kind, chat, the thread's external id


async def _latest_in_chat_threads(keys: list[ChatThread]) -> dict[ChatThread, Conversation]:
    found: dict[ChatThread, Conversation] = {}
    for kind, chat in dict.fromkeys((kind, chat) for kind, chat, _id in keys):
        ids = [external_id for k, c, external_id in keys if (k, c) == (kind, chat)]
        for conversation in await _LATEST_IN_CHAT_THREADS(kind, chat, padded(ids)):
            found[(kind, chat, conversation.thread.external_id)] = conversation
    return found


_LATEST_IN_CHAT_THREAD = ReadsTogether(Conversation, _latest_in_chat_threads)
_THREAD: Prepared[Thread | None] = Prepared(
    Thread,
    lambda line_id, workspace_kind, external_id: Thread.get_or_none(
        line_id=line_id, workspace_kind=workspace_kind, external_id=external_id
    ),
)


async def load_for_view(conversation_id: int) -> Conversation:
    """The conversation with what its title and card show, read in one statement."""
    return await _LOAD_FOR_VIEW(conversation_id)


async def latest_view_in(thread_id: int) -> Conversation | None:
    """The conversation thread `thread_id` is about now, its newest (a contact's later
    conversations on a line reuse the thread), with what its title and card show and the
    thread itself, in one statement (with those of the other threads asked at the same
    moment: topics opened side by side); None before any."""
    return await _LATEST_VIEW(thread_id)


async def thread_in_line(line_id: int, workspace_kind: str, external_id: str) -> Thread | None:
    """The thread `external_id` of a line, without its conversations."""
    return await _THREAD(line_id, workspace_kind, external_id)


async def latest_in_chat_thread(
    workspace_kind: str, chat: str, external_id: str
) -> Conversation | None:
    """The latest conversation of thread `external_id` in a line's chat, with the thread and
    the line read with it: an operator's message in a topic needs all three, in one
    statement (with those of the other threads asked at the same moment). None when the
    thread has none (or is not a line's)."""
    return await _LATEST_IN_CHAT_THREAD((workspace_kind, chat, external_id))
