"""Hypothesis strategies for what Slack sends to `/slack/events`: Events API envelopes
(messages in the line's channel and its threads, edits, deletions, bot messages, files, app
mentions, retries of one event id) and interactivity (button presses from `block_actions`),
from operators and from people who are not, mostly signed with the app's signing secret and
some forged, stale or unsigned.

A case is drawn before the desk runs, so what only the running desk knows is a placeholder,
filled in when the case is sent (`slack_request`): the threads the desk has opened in the
channel so far (`@@THREAD:n@@`, the n-th; `@@REPLY:n@@`, its last reply), the workspace's
ids, a real shared file and a response URL of the fake. The signature is made then too, with
the time of sending."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.conftest import SLACK_CHANNEL, SLACK_OPERATORS
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.signing import signed_headers
from tests.fuzz.strategies import (
    Case,
    api_cases,
    damaged,
    encode,
    raw_garbage,
    telegram_cases,
    texts,
)

THREADS = 6  # placeholders for the channel's first threads
PEOPLE = (*SLACK_OPERATORS, "U0STRANGER", "U0NEWBIE")  # the last two are no operators
CHANNELS = (SLACK_CHANNEL, SLACK_CHANNEL, SLACK_CHANNEL, "C0ELSEWHERE", "D0DIRECT")
SIGNINGS = ("good",) * 8 + ("forged", "stale", "unsigned")
PREFIXES = ("", "", "!note ", "!close", "!take", "!snooze 1h", "<@@@BOT@@> ", "/desk ")
EVENT_IDS = tuple(f"Ev0FUZZ{n:03}" for n in range(20))  # a small pool: retries come back
ACTION_VERBS = ("take", "close", "csat", "topic", "snooze", "transfer", "x")


def _ts(draw: st.DrawFn) -> str:
    return draw(
        st.one_of(
            st.sampled_from([f"@@THREAD:{n}@@" for n in range(THREADS)]),
            st.sampled_from([f"@@REPLY:{n}@@" for n in range(THREADS)]),
            st.builds(lambda s, u: f"{s}.{u:06}", st.integers(0, 2**31), st.integers(0, 999999)),
            st.text(max_size=12),
        )
    )


def _thread(draw: st.DrawFn) -> str:
    return draw(st.sampled_from([f"@@THREAD:{n}@@" for n in range(THREADS)]))


@st.composite
def slack_text(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(PREFIXES)) + draw(texts)


@st.composite
def message_event(draw: st.DrawFn) -> dict[str, Any]:
    person = draw(st.sampled_from(PEOPLE))
    event: dict[str, Any] = {
        "type": "message",
        "channel": draw(st.sampled_from(CHANNELS)),
        "user": person,
        "text": draw(slack_text()),
        "ts": "@@NEW_TS@@",
        "team": "@@TEAM@@",
    }
    if draw(st.integers(0, 3)):
        event["thread_ts"] = _thread(draw)
    kind = draw(st.sampled_from(["plain"] * 4 + ["edit", "delete", "bot", "file", "mention"]))
    if kind == "edit":
        now = f"{int(time.time())}.{draw(st.integers(0, 999999)):06}"
        event["ts"] = now
        edited = {**event, "ts": _ts(draw), "edited": {"user": person, "ts": now}}
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": event["channel"],
            "ts": event["ts"],
            "message": edited,
            "previous_message": {**edited, "text": draw(slack_text())},
        }
    elif kind == "delete":
        event["ts"] = f"{int(time.time())}.{draw(st.integers(0, 999999)):06}"
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": event["channel"],
            "ts": event["ts"],
            "deleted_ts": _ts(draw),
            "previous_message": {"type": "message", "user": person, "text": "x", "ts": "1.0"},
        }
    elif kind == "bot":
        event.pop("user")
        event |= {
            "subtype": "bot_message",
            "bot_id": draw(st.sampled_from(["@@BOT_ID@@", "B0OTHERBOT"])),
            "username": "a bot",
        }
    elif kind == "file":
        event |= {"subtype": "file_share", "files": "@@FILES@@", "upload": False}
    elif kind == "mention":
        event["type"] = "app_mention"
        event["text"] = f"<@@@BOT@@> {event['text']}"
    return event


@st.composite
def event_envelope(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 30)) == 0:
        return {"type": "url_verification", "token": "x", "challenge": draw(st.text(max_size=20))}
    return {
        "token": "@@VERIFICATION@@",
        "team_id": "@@TEAM@@",
        "api_app_id": "@@APP@@",
        "event": draw(message_event()),
        "type": "event_callback",
        "event_id": draw(
            st.one_of(st.sampled_from(EVENT_IDS), st.integers(0, 10**9).map(lambda n: f"Ev{n}"))
        ),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "@@TEAM@@", "user_id": "@@BOT@@", "is_bot": True}],
    }


@st.composite
def block_actions(draw: st.DrawFn) -> dict[str, Any]:
    person = draw(st.sampled_from(PEOPLE))
    channel = draw(st.sampled_from(CHANNELS))
    thread = _thread(draw)
    verb = draw(st.sampled_from(ACTION_VERBS))
    argument = draw(st.one_of(st.integers(-3, 400).map(str), st.text(max_size=8)))
    return {
        "type": "block_actions",
        "user": {"id": person, "username": person.lower(), "team_id": "@@TEAM@@"},
        "api_app_id": "@@APP@@",
        "token": "@@VERIFICATION@@",
        "container": {
            "type": "message",
            "message_ts": thread,
            "channel_id": channel,
            "is_ephemeral": False,
            "thread_ts": thread,
        },
        "trigger_id": f"{draw(st.integers(1, 10**9))}.1.fuzz",
        "team": {"id": "@@TEAM@@", "domain": "fuzz"},
        "channel": {"id": channel, "name": "support"},
        "message": {"type": "message", "ts": thread, "thread_ts": thread, "text": "card"},
        "state": {"values": {}},
        "response_url": "@@RESPONSE_URL@@",
        "actions": [
            {
                "action_id": draw(st.sampled_from(["rd_x", f"rd_{verb}", "other"])),
                "block_id": "b",
                "value": f"rd:{verb}:{argument}",
                "type": "button",
                "action_ts": f"{int(time.time())}.000001",
            }
        ],
    }


@st.composite
def slack_cases(draw: st.DrawFn) -> Case:
    action = draw(st.integers(0, 3)) == 0
    body = draw(block_actions() if action else event_envelope())
    choice = draw(st.integers(0, 9))
    if choice < 8:
        raw = encode(body)
    elif choice < 9:
        raw = encode(draw(damaged(body)))
    else:
        raw = draw(raw_garbage)
    return Case("slack", raw, form=action, signing=draw(st.sampled_from(SIGNINGS)))


class SlackScene:
    """What the placeholders stand for, read from the fake Slack as the desk fills it."""

    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        stored = slack.add_file("receipt.txt", b"order 17", user=next(iter(SLACK_OPERATORS)))
        self.files = json.dumps([stored])
        self._threads: list[str] = []
        self._sent = 0

    def _thread_ts(self, n: int) -> str:
        if self._sent % 25 == 0 or len(self._threads) <= n:
            self._threads = [m["ts"] for m in self.slack.messages(SLACK_CHANNEL)][:THREADS]
        return self._threads[n] if n < len(self._threads) else f"1700000000.00000{n}"

    def _reply_ts(self, n: int) -> str:
        thread = self._thread_ts(n)
        replies = self.slack.messages(SLACK_CHANNEL, thread) if thread in self._threads else []
        return replies[-1]["ts"] if replies else thread

    def _posted(self, text: str) -> str:
        """The ts of the message an event tells of: stored in the fake Slack as the person
        posted it (the desk reacts to it, and edits or deletes it later), when the body says
        who posted what where; else a ts no message has."""
        with contextlib.suppress(ValueError, LookupError, TypeError, AttributeError):
            event = json.loads(text.replace("@@NEW_TS@@", "0"))["event"]
            thread = event.get("thread_ts")
            if event["channel"] == SLACK_CHANNEL and "user" in event:
                posted = self.slack.post_envelopes(
                    SLACK_CHANNEL,
                    str(event["user"]),
                    str(event.get("text", "")),
                    thread_ts=thread if isinstance(thread, str) else None,
                )
                return str(posted[0]["event"]["ts"])
        return self.slack.next_ts()

    def fill(self, body: bytes) -> bytes:
        if b"@@" not in body:
            return body
        text = body.decode("utf-8", "surrogatepass")
        for n in range(THREADS):
            if f"@@THREAD:{n}@@" in text:
                text = text.replace(f"@@THREAD:{n}@@", self._thread_ts(n))
            if f"@@REPLY:{n}@@" in text:
                text = text.replace(f"@@REPLY:{n}@@", self._reply_ts(n))
        if "@@RESPONSE_URL@@" in text:
            context = {"channel": SLACK_CHANNEL, "message_ts": None, "user": "", "thread_ts": None}
            url = self.slack._response_url("actions", context)
            text = text.replace("@@RESPONSE_URL@@", url)
        text = text.replace('"@@FILES@@"', self.files)
        if "@@NEW_TS@@" in text:
            text = text.replace("@@NEW_TS@@", self._posted(text))
        for name, value in (
            ("@@TEAM@@", self.slack.team_id),
            ("@@APP@@", self.slack.app_id),
            ("@@BOT@@", self.slack.bot_user_id),
            ("@@BOT_ID@@", self.slack.bot_id),
            ("@@VERIFICATION@@", self.slack.verification_token),
        ):
            text = text.replace(name, value)
        return text.encode("utf-8", "surrogatepass")

    def request(self, case: Case) -> tuple[bytes, dict[str, str]]:
        """The case's body as Slack would post it, and its headers, signed now (or not)."""
        self._sent += 1
        body = self.fill(case.body)
        content_type = "application/json"
        if case.form:
            payload = body.decode("utf-8", "replace")
            body, content_type = (
                urlencode({"payload": payload}).encode(),
                "application/x-www-form-urlencoded",
            )
        secret = self.slack.signing_secret
        if case.signing == "forged":
            secret = "not-the-signing-secret"
        stamp = int(time.time()) - (600 if case.signing == "stale" else 0)
        headers = signed_headers(secret, body, content_type, timestamp=stamp)
        if case.signing == "unsigned":
            del headers["X-Slack-Signature"]
        return body, headers


# Every endpoint's cases: Telegram's webhook, the API and Slack's events and actions.
cases = st.one_of(telegram_cases(), api_cases(), slack_cases())
