"""Quick replies: the canned answers an operator may send in a line, in the customer's words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from bot.base.i18n import pick_language
from bot.conversations.desk_actions import DeskActions
from storage.models import Conversation, Message, Operator, QuickReply

# Nearest first: an operator's own wording wins over the line's, the line's over the desk's,
# so a team can override a desk-wide answer without renaming it.
SCOPE_RANK = {"personal": 0, "line": 1, "global": 2}

# Only these are filled. Anything else in braces is the author's own text ("{sic}", a JSON
# sample), so it is left alone instead of being handed to str.format and crashing on it.
PLACEHOLDERS = ("customer_name", "operator_name", "conversation_number")
PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
# What an author sees while writing a reply, before any customer is there to fill it in.
SAMPLE_CUSTOMER, SAMPLE_OPERATOR, SAMPLE_NUMBER = "Ivan Petrenko", "Olga", 42


async def visible(line_id: int, operator_id: int) -> list[QuickReply]:
    """The replies `operator_id` may send in `line_id`: the desk's, the line's, their own."""
    rows = await QuickReply.filter(
        Q(scope="global")
        | Q(scope="line", line_id=line_id)
        | Q(scope="personal", operator_id=operator_id)
    ).order_by("id")
    return nearest_by_name(r for r in rows if any_text(r.texts))


def nearest_by_name(replies: Iterable[QuickReply]) -> list[QuickReply]:
    """One reply per name (names compare case-insensitively, as `/q name` does), the nearest
    scope winning; most used first, since a list of buttons is cut short."""
    kept: dict[str, QuickReply] = {}
    for reply in replies:
        key = reply.name.casefold()
        other = kept.get(key)
        if other is None or SCOPE_RANK[reply.scope] < SCOPE_RANK[other.scope]:
            kept[key] = reply
    return sorted(kept.values(), key=lambda r: (-r.usage_count, r.name.casefold()))


def by_name(replies: Iterable[QuickReply], name: str) -> QuickReply | None:
    wanted = name.strip().casefold()
    return next((r for r in replies if r.name.casefold() == wanted), None)


def by_id(replies: Iterable[QuickReply], raw_id: str) -> QuickReply | None:
    """A button's id is only honoured among the visible replies: a stale or forged button
    cannot send another line's or another operator's reply."""
    if not raw_id.strip().isdigit():
        return None
    wanted = int(raw_id)
    return next((r for r in replies if r.id == wanted), None)


def search(replies: Iterable[QuickReply], words: str) -> list[QuickReply]:
    """Replies whose name or text (in any language) holds every typed word, ignoring case:
    an operator remembers a few words of an answer, rarely its exact phrasing."""
    needles = words.casefold().split()
    return [r for r in replies if needles and all(n in _haystack(r) for n in needles)]


def _haystack(reply: QuickReply) -> str:
    return " ".join([reply.name, *map(str, reply.texts.values())]).casefold()


def any_text(texts: Mapping[str, object]) -> bool:
    return any(isinstance(t, str) and t.strip() for t in texts.values())


def pick_text(texts: Mapping[str, object], language: str, default_language: str) -> str | None:
    """The customer's language, else the desk's default, else whatever the author wrote:
    an answer in another language beats no answer."""
    for lang in (language, default_language, *texts):
        text = texts.get(lang)
        if isinstance(text, str) and text.strip():
            return text
    return None


def fill(template: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def preview(template: str, operator_name: str | None = None) -> str:
    """The text as `/q` would send it, filled with sample values: the admin panel shows this
    while a reply is written, so its rules cannot drift from the bot's."""
    values = {
        "customer_name": SAMPLE_CUSTOMER,
        "operator_name": operator_name or SAMPLE_OPERATOR,
        "conversation_number": str(SAMPLE_NUMBER),
    }
    return fill(template, values)


async def customer_language(conversation: Conversation, default_language: str) -> str:
    """What the customer's client reports (the language notices to them use too), else what
    an operator set on the contact, else the desk's default."""
    identity = await conversation.identity
    contact = await conversation.contact
    for code in (identity.language, contact.language):
        language = pick_language(code, "")
        if language:
            return language
    return default_language


async def text_for(
    reply: QuickReply, conversation: Conversation, operator: Operator, default_language: str
) -> str | None:
    """The text as this customer should read it, or None when the reply has no text at all."""
    template = pick_text(
        reply.texts, await customer_language(conversation, default_language), default_language
    )
    if template is None:
        return None
    contact = await conversation.contact
    values = {
        "customer_name": contact.name,
        "operator_name": operator.name,
        "conversation_number": str(conversation.number),
    }
    return fill(template, values)


async def send(
    actions: DeskActions, conversation: Conversation, operator: Operator, reply: QuickReply
) -> Message | None:
    """Send `reply` to the customer and count it, in one transaction so the count is the
    number of sends. None (and nothing sent) when the reply has no text."""
    text = await text_for(reply, conversation, operator, actions.live.default_language)
    if text is None:
        return None
    async with in_transaction():
        message = await actions.send_text(conversation, operator, text)
        await QuickReply.filter(id=reply.id).update(usage_count=F("usage_count") + 1)
    return message
