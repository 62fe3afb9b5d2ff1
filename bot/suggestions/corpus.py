"""What the index is built from, read from the database: every quick reply with a text, and
pairs of (the customer's question, the operator's answer) from the newest closed
conversations. Bounded: `MAX_CONVERSATIONS` conversations, `MAX_PAIRS` pairs, texts cut to
`MAX_TEXT` characters — a few megabytes at most, whatever the history's size."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.suggestions.index import ANSWER, REPLY, Entry
from bot.suggestions.words import LANGUAGES, language_of
from storage.models import Conversation, ConversationStatus, Direction, Message, QuickReply

MAX_CONVERSATIONS = 1000
MAX_PAIRS = 3000
MAX_TEXT = 1000
MAX_QUESTION_TEXTS = 3  # the customer's last texts before the answer form its question
MIN_ANSWER = 15  # "ok", "one moment" are not answers worth suggesting


async def entries(default_language: str) -> list[Entry]:
    return [*await reply_entries(), *await answer_entries(default_language)]


async def reply_entries() -> list[Entry]:
    found = []
    for reply in await QuickReply.all():
        for language, text in (reply.texts or {}).items():
            if language in LANGUAGES and isinstance(text, str) and text.strip():
                found.append(
                    Entry(
                        REPLY,
                        reply.id,
                        language,
                        reply.name,
                        text[:MAX_TEXT],
                        scope=reply.scope,
                        line_id=reply.line_id,  # type: ignore[attr-defined]
                        operator_id=reply.operator_id,  # type: ignore[attr-defined]
                    )
                )
    return found


async def answer_entries(default_language: str) -> list[Entry]:
    closed = (
        await Conversation.filter(status=ConversationStatus.CLOSED)
        .order_by("-closed_at")
        .limit(MAX_CONVERSATIONS)
        .values_list("id", "line_id")
    )
    if not closed:
        return []
    lines = dict(closed)
    rows = (
        await Message.filter(
            conversation_id__in=list(lines),
            direction__in=(Direction.IN, Direction.OUT),
            kind="text",
            text__not_isnull=True,
        )
        .order_by("-conversation_id", "id")
        .values("id", "conversation_id", "direction", "author_operator_id", "text")
    )
    return list(pairs(rows, lines, default_language))


def pairs(
    rows: Iterable[dict[str, Any]], lines: dict[int, int], default_language: str
) -> Iterable[Entry]:
    """Each operator's answer with the customer's texts since the previous answer."""
    asked: list[str] = []
    conversation = None
    made = 0
    for row in rows:
        if row["conversation_id"] != conversation:
            conversation, asked = row["conversation_id"], []
        text = (row["text"] or "").strip()
        if row["direction"] == Direction.IN:
            asked = [*asked, text][-MAX_QUESTION_TEXTS:]
            continue
        if not asked or row["author_operator_id"] is None or len(text) < MIN_ANSWER:
            asked = []
            continue
        question = " ".join(asked)[:MAX_TEXT]
        asked = []
        yield Entry(
            ANSWER,
            row["id"],
            language_of(question, default_language),
            text[:60],
            text[:MAX_TEXT],
            question=question,
            scope="line",
            line_id=lines[row["conversation_id"]],
        )
        made += 1
        if made >= MAX_PAIRS:
            return
