"""Reading conversations for the panel: the filtered list and one conversation's record,
always inside the viewer's scope (filters only ever narrow it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from admin_web.access import ADMIN, OPERATOR, Viewer
from admin_web.params import optional_id, page_number
from bot.base.bounds import fits
from bot.base.events import DELETED
from bot.base.i18n import _
from bot.directory.checks import CHANNELS
from storage.models import (
    AuditEntry,
    Conversation,
    ConversationStatus,
    EntryPoint,
    Identity,
    Line,
    LineMember,
    Message,
    Operator,
)

PAGE_SIZE = 25
# Dates a filter may name: far enough from datetime's ends that a time zone and a day more
# still make a datetime.
FIRST_YEAR, LAST_YEAR = 1900, 9000
# Query parameter -> Filters field; the names a page link carries.
PARAMS = {
    "status": "status",
    "line": "line",
    "operator": "operator",
    "channel": "channel",
    "entry_point": "entry_point",
    "topic": "topic",
    "from": "created_from",
    "to": "created_to",
    "q": "text",
}
NUMBERS = {"line", "operator", "entry_point"}
DATES = {"created_from", "created_to"}
KIND_NAMES = {
    "photo": _("photo"),
    "video": _("video"),
    "animation": _("animation"),
    "document": _("file"),
    "audio": _("audio"),
    "voice": _("voice message"),
    "video_note": _("video message"),
    "sticker": _("sticker"),
    "location": _("location"),
    "venue": _("place"),
    "contact": _("contact card"),
    "poll": _("poll"),
    "dice": _("dice"),
}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    line: int | None = None
    operator: int | None = None
    channel: str = ""
    entry_point: int | None = None
    topic: str = ""
    created_from: date | None = None
    created_to: date | None = None
    text: str = ""
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        """What cannot be read (a word where a number belongs) is simply not applied."""
        values: dict[str, Any] = {}
        for param, name in PARAMS.items():
            raw = (query.get(param) or "").strip()
            if not raw:
                continue
            if name in NUMBERS:
                values[name] = optional_id(raw)
            elif name in DATES:
                values[name] = _date(raw)
            else:
                values[name] = raw[:200]
        if values.get("status") not in (None, *ConversationStatus):
            values.pop("status")
        return cls(**values, page=page_number(query.get("page")))

    def form(self) -> dict[str, str]:
        """The values the filter inputs show again."""
        shown = {}
        for param, name in PARAMS.items():
            value = getattr(self, name)
            shown[param] = "" if value is None else str(value)
        return shown

    def link(self, page: int) -> str:
        """The list's address with these filters on page `page`."""
        query = {param: value for param, value in self.form().items() if value}
        if page > 1:
            query["page"] = str(page)
        return "/admin/conversations" + (f"?{urlencode(query)}" if query else "")

    @property
    def active(self) -> bool:
        return replace(self, page=1) != Filters()


@dataclass
class Page:
    rows: list[Conversation]
    total: int
    number: int
    pages: int


@dataclass
class Choices:
    """What the filter selects offer: only what the viewer may see."""

    lines: list[Line]
    operators: list[Operator]
    entry_points: list[EntryPoint]
    topics: list[str]
    channels: tuple[str, ...] = CHANNELS
    statuses: tuple[str, ...] = tuple(ConversationStatus)


@dataclass
class Entry:
    """One message of the transcript as the page shows it."""

    message: Message
    author: str
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (kind msgid, name)
    deleted: bool = False


def _date(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def _column_fits(filters: Filters) -> bool:
    """A channel or topic longer than its column is in no conversation (and tortoise would
    refuse to compare it): the list is then simply empty."""
    return fits(Identity, "channel", filters.channel) and fits(Conversation, "topic", filters.topic)


def filtered(who: Viewer, filters: Filters, zone: ZoneInfo) -> QuerySet[Conversation]:
    query = Conversation.filter(**who.conversation_scope())
    if not _column_fits(filters):
        return query.filter(id__in=[])
    plain = {
        "status": filters.status,
        "line_id": filters.line,
        "assignee_id": filters.operator,
        "identity__channel": filters.channel,
        "entry_point_id": filters.entry_point,
        "topic": filters.topic,
    }
    query = query.filter(**{key: value for key, value in plain.items() if value})
    if filters.created_from:
        query = query.filter(created_at__gte=_midnight(filters.created_from, zone))
    if filters.created_to:
        query = query.filter(created_at__lt=_midnight(filters.created_to + timedelta(1), zone))
    if filters.text:
        said = Message.filter(text__icontains=filters.text).values("conversation_id")
        query = query.filter(Q(id__in=Subquery(said)) | Q(contact__name__icontains=filters.text))
    return query


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


async def page_of(who: Viewer, filters: Filters, zone: ZoneInfo) -> Page:
    query = filtered(who, filters, zone)
    total = await query.count()
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, pages)
    rows = (
        await query.order_by("-id")
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .prefetch_related("contact", "identity", "line", "assignee")
    )
    return Page(list(rows), total, number, pages)


async def choices(who: Viewer) -> Choices:
    lines = [line for line in await Line.all().order_by("name") if who.sees_line(line.id)]
    line_ids = [line.id for line in lines]
    if who.role == ADMIN:
        operators = await Operator.all().order_by("name")
        entry_points = await EntryPoint.all().order_by("name")
    else:
        members = await LineMember.filter(line_id__in=line_ids).values_list(
            "operator_id", flat=True
        )
        if who.role == OPERATOR:
            members = [who.operator_id]
        operators = await Operator.filter(id__in=list(set(members))).order_by("name")
        entry_points = await EntryPoint.filter(line_id__in=line_ids).order_by("name")
    used = await (
        Conversation.filter(topic__not_isnull=True, **who.conversation_scope())
        .distinct()
        .values_list("topic", flat=True)
    )
    offered = {str(topic) for line in lines for topic in (line.topics or [])}
    return Choices(lines, list(operators), list(entry_points), sorted(offered | set(used)))


async def visible(who: Viewer, conversation_id: int) -> Conversation:
    """The conversation with what its page shows; 404 when there is none, 403 when it is
    outside the viewer's scope."""
    if not await Conversation.exists(id=conversation_id):
        raise web.HTTPNotFound()
    if not await Conversation.exists(id=conversation_id, **who.conversation_scope()):
        raise web.HTTPForbidden(text="forbidden")
    return await Conversation.get(id=conversation_id).prefetch_related(
        "contact", "identity", "entry_point", "line", "assignee"
    )


async def transcript(conversation: Conversation) -> list[Entry]:
    messages = (
        await Message.filter(conversation_id=conversation.id)
        .order_by("created_at", "id")
        .prefetch_related("author_operator")
    )
    return [
        Entry(
            message,
            _author(message, conversation),
            attachments(message.kind, message.content or {}),
            bool((message.content or {}).get(DELETED)),
        )
        for message in messages
    ]


def _author(message: Message, conversation: Conversation) -> str:
    if message.direction == "in":
        return conversation.contact.name
    operator = message.author_operator
    return operator.name if operator else ""


def attachments(kind: str, content: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, file name) of what came with the message: Slack's files, Telegram's media."""
    files = content.get("files")
    if isinstance(files, list) and files:
        return [(KIND_NAMES["document"], str(item.get("name") or "")) for item in files]
    if kind not in KIND_NAMES:
        return []
    media = content.get(kind)
    item = media[-1] if isinstance(media, list) and media else media
    name = item.get("file_name") if isinstance(item, dict) else None
    return [(KIND_NAMES[kind], str(name or ""))]


async def audit_trail(conversation: Conversation) -> list[AuditEntry]:
    return list(
        await AuditEntry.filter(conversation_id=conversation.id).order_by("created_at", "id")
    )
