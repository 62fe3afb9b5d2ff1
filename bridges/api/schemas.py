"""What the API reads and answers, as pydantic models: requests are checked against them
(unknown fields refused, no type coercion) and the OpenAPI document is built from them, so
the two cannot drift apart."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.api.shapes import MAX_CONTACT_ID

MAX_TEXT = 4096  # a Telegram message; longer texts would be cut where operators read them
MAX_ATTACHMENTS = 10  # by URL and uploaded together

ContactId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_CONTACT_ID, pattern=r"^[!-~]+$")
]
# Something besides spaces, and no NUL character (PostgreSQL's text cannot hold one).
WORDS = r"^[^\x00]*[^\s\x00][^\x00]*$"
Name = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=WORDS)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]
MessageText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=WORDS)]
Url = Annotated[str, StringConstraints(min_length=8, max_length=512, pattern=r"^https?://[!-~]+$")]
FileName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=WORDS)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ContactIn(Strict):
    """The customer as the calling system knows them."""

    external_id: ContactId = Field(
        description="Your id of the customer: 1 to 36 printable ASCII characters (a UUID fits)."
    )
    name: Name = Field(description="Shown to operators as the customer's name.")
    language: Language | None = Field(
        default=None, description="The customer's language (en, ru, uk, …): the desk's words."
    )


class AttachmentIn(Strict):
    """A file the desk fetches: a plain GET, no redirects followed, within
    RELAYDESK_WEBHOOK_TIMEOUT_SECONDS and RELAYDESK_API_MAX_FILE_BYTES; private and loopback
    addresses are refused unless RELAYDESK_WEBHOOK_ALLOW_PRIVATE=true."""

    url: Url = Field(description="http:// or https:// URL of the file.")
    name: FileName | None = Field(
        default=None,
        description="The file's name (its extension tells its kind); by default the URL's "
        "last segment.",
    )


class MessageIn(Strict):
    """A customer's message: a text, files, or both (the text is then the files' caption).
    Uploaded files (multipart/form-data) stand for `attachments` here."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
            ]
        },
    )

    contact: ContactIn
    text: MessageText | None = Field(
        default=None, description="Plain text, 1 to 4096 characters; optional with files."
    )
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="Files by URL (with uploaded files, at most 10 in all): images (JPEG, PNG, "
        "GIF, WebP), PDF, text (.txt, .csv) and office documents (.doc(x), .xls(x), .ppt(x), "
        ".odt, .ods, .odp, .rtf).",
    )


class AttachmentOut(BaseModel):
    name: str
    type: str
    size: int
    url: str = Field(description="A signed download link; it expires (RELAYDESK_FILE_LINK_HOURS).")


class Author(BaseModel):
    type: Literal["contact", "operator", "desk"]
    name: str | None


class MessageOut(BaseModel):
    id: int | None
    conversation_id: int | None = None
    direction: Literal["in", "out"]
    kind: str
    text: str | None
    author: Author
    created_at: str | None
    attachments: list[AttachmentOut] = Field(default_factory=list)


class Assignee(BaseModel):
    name: str


class ConversationOut(BaseModel):
    id: int
    status: Literal["queued", "open", "snoozed", "closed"]
    assignee: Assignee | None
    topic: str | None
    created_at: str | None
    closed_at: str | None


class ContactOut(BaseModel):
    external_id: str
    name: str


class MessagePosted(BaseModel):
    message: MessageOut
    conversation: ConversationOut
    contact: ContactOut
    new_conversation: bool


class MessageList(BaseModel):
    conversation: ConversationOut
    contact: ContactOut
    messages: list[MessageOut]
    has_more: bool = Field(description="More messages follow: ask again with `after`.")


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] | None = None


class Error(BaseModel):
    error: ErrorBody


class WebhookEvent(BaseModel):
    """What the desk POSTs to your webhook (also described in the README)."""

    id: str
    type: str = Field(
        description="message.created, message.updated, message.deleted, conversation.opened, "
        "conversation.assigned, conversation.queued, conversation.open, conversation.snoozed, "
        "conversation.closed, conversation.transferred, conversation.topic_changed"
    )
    created_at: str
    conversation: ConversationOut | None
    contact: ContactOut
    message: MessageOut | dict | None = None
