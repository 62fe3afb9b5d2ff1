"""What bridges hand to the core: platform-neutral events, built from SDK objects."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

NUL = "\x00"


def without_nul(value: Any) -> Any:
    """`value` with every NUL character dropped from its strings (in lists and mappings too):
    PostgreSQL's text and JSON cannot hold one, and no messenger needs it."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


class _Storable:
    """What a person wrote or is called reaches the database: NUL characters are dropped."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            cleaned = without_nul(value)
            if cleaned is not value:
                object.__setattr__(self, f.name, cleaned)


@dataclass(frozen=True)
class EntryPointRef:
    channel: str
    key: str
    name: str


@dataclass(frozen=True)
class CustomerRef(_Storable):
    channel: str
    external_id: str
    display_name: str
    username: str | None = None
    language: str | None = None
    # Told by the customer in a form (the web chat's): an email fills an empty one; a name
    # given replaces the one the contact got from this identity.
    email: str | None = None
    name_given: bool = False


# Content flags: send the stored text as it is (never copy the original); deleted by its author.
TEXT_ONLY = "text_only"
DELETED = "deleted"


@dataclass(frozen=True)
class MessageBody(_Storable):
    """One message as its channel sent it: `content` keeps what a same-channel copy needs."""

    kind: str
    text: str | None = None
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundMessage:
    entry_point: EntryPointRef
    customer: CustomerRef
    chat: str
    external_id: str
    body: MessageBody
    album_key: str | None = None
    reply_to_external_id: str | None = None

    @property
    def source_key(self) -> str:
        return f"{self.entry_point.key}:{self.chat}:{self.external_id}"


@dataclass(frozen=True)
class InboundEdit:
    entry_point: EntryPointRef
    chat: str
    external_id: str
    body: MessageBody


@dataclass(frozen=True)
class OperatorRef(_Storable):
    workspace_kind: str
    external_id: str
    name: str
    username: str | None = None


@dataclass(frozen=True)
class ThreadRef:
    """A place in a workspace: the chat (forum group / Slack channel) and the thread in it."""

    workspace_kind: str
    chat: str
    thread_id: str | None


@dataclass(frozen=True)
class WorkspaceMessage:
    place: ThreadRef
    author: OperatorRef
    external_id: str
    body: MessageBody
    album_key: str | None = None
    reply_to_external_id: str | None = None


@dataclass(frozen=True)
class WorkspaceEdit:
    place: ThreadRef
    author: OperatorRef
    external_id: str
    body: MessageBody


@dataclass(frozen=True)
class WorkspaceDelete:
    place: ThreadRef
    author: OperatorRef
    external_id: str


@dataclass(frozen=True)
class CommandCall:
    """A command typed in a thread (`/close`, `!close`) or a button pressed on a card."""

    place: ThreadRef
    author: OperatorRef
    name: str
    args: str = ""
    conversation_id: int | None = None
    external_id: str | None = None
    from_button: bool = False
