"""Hypothesis strategies for what reaches the desk's HTTP endpoints: Telegram updates (for the
webhook) and bodies of `POST /api/v1/messages`. Mostly well-formed, with malformed variants.
Slack's events and actions are in tests/fuzz/slack_cases.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.fakes.desk import OPERATOR_CHAT, OPERATORS

CUSTOMERS = tuple(range(6001, 6009))
ENTITY_TYPES = ("bold", "italic", "code", "pre", "url", "mention", "bot_command", "text_link")
COMMANDS = ("/start", "/close", "/note", "/take", "/stats", "/help", "/ban", "/topic")


@dataclass(frozen=True)
class Case:
    """One request: which endpoint, its raw body and the headers beyond the usual ones."""

    endpoint: str  # "telegram" | "api" | "slack"
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    # Slack's: the body goes as a form's `payload` (interactivity), and how it is signed
    # when sent ("good", "forged", "stale", "unsigned"; tests/fuzz/slack_cases.py).
    form: bool = False
    signing: str = ""


texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from(COMMANDS).flatmap(lambda c: st.text(max_size=20).map(lambda t: f"{c} {t}")),
    st.text(alphabet="🙂ab \n", max_size=10),
    st.just(""),
    st.text(min_size=4090, max_size=4200, alphabet="x"),
)
ids = st.one_of(st.integers(1, 10**6), st.integers(-(2**63), 2**63 - 1))


@st.composite
def entities(draw: st.DrawFn, text: str) -> list[dict[str, Any]]:
    found = []
    for _ in range(draw(st.integers(0, 3))):
        item: dict[str, Any] = {
            "type": draw(st.sampled_from(ENTITY_TYPES)),
            "offset": draw(st.integers(-2, len(text) + 2)),
            "length": draw(st.integers(0, len(text) + 3)),
        }
        if item["type"] == "text_link":
            item["url"] = draw(st.sampled_from(["https://example.com", "javascript:x", ""]))
        found.append(item)
    return found


def user(user_id: int, name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


@st.composite
def customer_message(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(st.sampled_from(CUSTOMERS))
    text = draw(texts)
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 10**6)),
        "date": draw(st.integers(0, 2**31)),
        "chat": {"id": uid, "type": "private", "first_name": "C"},
        "from": user(uid, draw(st.text(min_size=1, max_size=20))),
    }
    if text or draw(st.booleans()):
        message["text"] = text
        message["entities"] = draw(entities(text))
    return message


@st.composite
def operator_message(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(st.sampled_from(sorted(OPERATORS)))
    text = draw(texts)
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 10**6)),
        "date": draw(st.integers(0, 2**31)),
        "chat": {"id": OPERATOR_CHAT, "type": "supergroup", "title": "Support", "is_forum": True},
        "from": user(uid, OPERATORS[uid]),
        "text": text,
        "entities": draw(entities(text)),
    }
    if draw(st.booleans()):
        message["message_thread_id"] = draw(st.integers(1, 50))
        message["is_topic_message"] = True
    if draw(st.integers(0, 4)) == 0:
        message["reply_to_message"] = {
            "message_id": draw(st.integers(1, 10**6)),
            "date": 0,
            "chat": message["chat"],
        }
    return message


@st.composite
def callback_query(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(st.sampled_from([*sorted(OPERATORS), *CUSTOMERS]))
    query: dict[str, Any] = {
        "id": str(draw(st.integers(1, 10**9))),
        "from": user(uid, "U"),
        "chat_instance": "ci",
        "data": draw(
            st.one_of(
                st.text(max_size=64),
                st.builds(
                    lambda a, b: f"rd:{a}:{b}",
                    st.sampled_from(["take", "close", "csat", "topic", "snooze", "x"]),
                    st.one_of(st.integers(-5, 10**6).map(str), st.text(max_size=8)),
                ),
            )
        ),
    }
    if draw(st.booleans()):
        query["message"] = draw(st.one_of(operator_message(), customer_message()))
    return query


@st.composite
def telegram_update(draw: st.DrawFn) -> dict[str, Any]:
    update_id = draw(st.integers(1, 2**31))
    kind = draw(st.sampled_from(["message", "edited_message", "callback_query"]))
    if kind == "callback_query":
        return {"update_id": update_id, kind: draw(callback_query())}
    message = draw(st.one_of(customer_message(), operator_message()))
    if kind == "edited_message":
        message["edit_date"] = message["date"] + 1
    return {"update_id": update_id, kind: message}


json_values = st.recursive(
    st.none() | st.booleans() | ids | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def damaged(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Drop a key, or give one a value of another type, somewhere in a well-formed body."""
    copy = json.loads(json.dumps(body))
    node = copy
    while True:
        keys = [k for k, v in node.items() if isinstance(v, dict) and v]
        if not keys or draw(st.booleans()):
            break
        node = node[draw(st.sampled_from(keys))]
    key = draw(st.sampled_from(sorted(node)))
    if draw(st.booleans()):
        del node[key]
    else:
        node[key] = draw(json_values)
    return copy


raw_garbage = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"{", b"[1, 2]", b'"x"', b"null", b'{"update_id": "1"}', b"\xff\xfe"]),
)


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def telegram_cases(draw: st.DrawFn) -> Case:
    choice = draw(st.integers(0, 9))
    if choice < 7:
        body = encode(draw(telegram_update()))
    elif choice < 9:
        body = encode(draw(telegram_update().flatmap(damaged)))
    else:
        body = draw(raw_garbage)
    return Case("telegram", body, {"Content-Type": "application/json"})


@st.composite
def api_body(draw: st.DrawFn) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "external_id": draw(st.sampled_from(["c-1", "c-2", "c-3", "x" * 36]))
    }
    if draw(st.booleans()):
        contact["name"] = draw(st.text(max_size=40))
    body: dict[str, Any] = {"contact": contact, "text": draw(texts)}
    if draw(st.integers(0, 5)) == 0:
        body[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return body


@st.composite
def api_cases(draw: st.DrawFn) -> Case:
    choice = draw(st.integers(0, 9))
    if choice < 6:
        body = encode(draw(api_body()))
    elif choice < 8:
        body = encode(draw(api_body().flatmap(damaged)))
    elif choice < 9:
        body = encode(draw(json_values))
    else:
        body = draw(raw_garbage)
    # A small pool of keys, so that the same key comes back with the same and other bodies.
    key = draw(
        st.one_of(
            st.sampled_from(["k-1", "k-2", "k-3"]),
            st.uuids().map(str),
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=140),
        )
    )
    content_type = draw(st.sampled_from(["application/json", "application/json", "text/plain"]))
    return Case("api", body, {"Idempotency-Key": key, "Content-Type": content_type})
