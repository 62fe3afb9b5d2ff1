"""Tortoise models for the vocabulary of ARCHITECTURE.md."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ConversationStatus(StrEnum):
    QUEUED = "queued"
    OPEN = "open"
    SNOOZED = "snoozed"
    CLOSED = "closed"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    NOTE = "note"
    SYSTEM = "system"


class OperatorStatus(StrEnum):
    """1C-Connect's working statuses: who gets new conversations and who is left alone."""

    FREE = "free"
    AWAY = "away"  # also set automatically after the idle time
    BUSY = "busy"  # keeps the open conversations, gets no new ones
    DND = "dnd"  # nothing: open conversations go back to the queue when the customer writes


class RoutingPolicy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_BUSY = "least_busy"
    MANUAL = "manual"  # the queue only: operators /take or /next


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class DeliveryKind(StrEnum):
    """What a delivery does, stored in `Delivery.op`."""

    RELAY = "relay"  # stored messages copied to the other side (an album in one call)
    EDIT = "edit"  # a stored message was edited: edit its copy
    DELETE = "delete"  # an operator's answer was deleted: delete its copy at the customer's
    NOTICE = "notice"  # words from the desk: a Text
    CARD_SHOW = "card.show"  # a card with buttons as a new message (a choice to make)
    CARD_POST = "card.post"  # the conversation's header card in a thread it comes back to
    STATE = "state"  # the thread's title and header card brought up to date
    ASK = "ask"  # a question with buttons for the customer, in words where it has none
    CONFIRM = "confirm"  # a reaction on the operator's message: delivered or not
    WEBHOOK = "webhook"  # a conversation event POSTed to an API entry point's webhook


class Line(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=128)
    workspace_kind = fields.CharField(max_length=16)
    workspace_chat = fields.CharField(max_length=64)
    # "all": every thread reply goes to the customer; "marked": only `!reply …` does, for
    # teams that chat a lot in threads.
    reply_mode = fields.CharField(max_length=8, default="all")
    routing_policy = fields.CharEnumField(
        RoutingPolicy, max_length=16, default=RoutingPolicy.ROUND_ROBIN
    )
    # {"timezone": "Europe/Kyiv", "days": {"mon": "09:00-18:00", ...}}; null: always open.
    business_hours = fields.JSONField(null=True)
    greeting = fields.TextField(null=True)
    out_of_hours_message = fields.TextField(null=True)
    closing_message = fields.TextField(null=True)
    topics = fields.JSONField(default=list)  # the topic dictionary offered on close
    csat_enabled = fields.BooleanField(default=True)
    auto_close_minutes = fields.IntField(null=True)  # null: never closes by itself
    # Suggested answers under a customer's question (bot/suggestions): off unless turned on.
    suggestions = fields.BooleanField(default=False)
    # Round robin: the operator who got the line's last conversation.
    last_assigned_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "line"
        unique_together = (("workspace_kind", "workspace_chat"),)


class EntryPoint(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    key = fields.CharField(max_length=128, unique=True)
    name = fields.CharField(max_length=128)
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="entry_points"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "entry_point"


class ApiEntryPoint(Model):
    """What an `api` entry point adds: its key (only a hash: the key is shown once, when it
    is made) and the webhook its events and operators' replies are POSTed to."""

    id = fields.IntField(primary_key=True)
    entry_point: fields.OneToOneRelation[EntryPoint] = fields.OneToOneField(
        "models.EntryPoint", related_name="api"
    )
    key_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the key
    key_hint = fields.CharField(max_length=16)  # the key's first characters, to tell keys apart
    key_rotated_at = fields.DatetimeField(null=True)
    webhook_url = fields.CharField(max_length=512, null=True)
    # It signs what is sent, so it is kept as it is (unlike the key).
    webhook_secret = fields.CharField(max_length=64, null=True)
    requests_per_minute = fields.IntField(default=120)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_entry_point"


class WebchatEntryPoint(Model):
    """What a `webchat` entry point adds: the public key its site's snippet carries, the sites
    (origins) allowed to use it, the widget's look, and the secret visitor tokens are signed
    with (its own, so a token of one entry point is nothing at another)."""

    id = fields.IntField(primary_key=True)
    entry_point: fields.OneToOneRelation[EntryPoint] = fields.OneToOneField(
        "models.EntryPoint", related_name="webchat"
    )
    public_key = fields.CharField(max_length=40, unique=True)
    key_rotated_at = fields.DatetimeField(null=True)
    allowed_origins = fields.JSONField(default=list)  # ["https://shop.example", ...]
    title = fields.CharField(max_length=64, null=True)  # null: "Chat with us", translated
    color = fields.CharField(max_length=7, default="#1f6feb")
    position = fields.CharField(max_length=8, default="right")  # right | left
    visitor_secret = fields.CharField(max_length=64)
    # The pre-chat form's fields, each off | optional | required.
    form_name = fields.CharField(max_length=8, default="off")
    form_email = fields.CharField(max_length=8, default="off")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webchat_entry_point"


class Operator(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128)
    telegram_user_id = fields.BigIntField(null=True, unique=True)
    telegram_username = fields.CharField(max_length=64, null=True)
    slack_user_id = fields.CharField(max_length=32, null=True, unique=True)
    role = fields.CharField(max_length=16, default="operator")
    status = fields.CharField(max_length=8, default=OperatorStatus.FREE.value)  # OperatorStatus
    capacity = fields.IntField(default=5)
    language = fields.CharField(max_length=8, null=True)
    last_seen_at = fields.DatetimeField(null=True)
    away_auto = fields.BooleanField(default=False)  # "away" set by idleness, not by hand
    status_changed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "operator"


class LineMember(Model):
    id = fields.IntField(primary_key=True)
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="members"
    )
    operator: fields.ForeignKeyRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="lines"
    )

    class Meta:
        table = "line_member"
        unique_together = (("line", "operator"),)


class Contact(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=256)
    language = fields.CharField(max_length=8, null=True)
    phone = fields.CharField(max_length=64, null=True)
    email = fields.CharField(max_length=256, null=True)
    company = fields.CharField(max_length=256, null=True)
    notes = fields.TextField(null=True)
    tags = fields.JSONField(default=list)  # a list of strings
    banned = fields.BooleanField(default=False)
    # Set when /link merged this contact into another: its identities moved there.
    merged_into_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contact"


class Identity(Model):
    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="identities", db_index=True
    )
    channel = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=128)
    username = fields.CharField(max_length=128, null=True)
    display_name = fields.CharField(max_length=256)
    language = fields.CharField(max_length=16, null=True)
    blocked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "identity"
        unique_together = (("channel", "external_id"),)


class Thread(Model):
    """The topic or Slack thread of one contact in one line's workspace."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="threads"
    )
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="threads"
    )
    workspace_kind = fields.CharField(max_length=16)
    workspace_chat = fields.CharField(max_length=64)
    external_id = fields.CharField(max_length=64, null=True)
    title = fields.CharField(max_length=128, default="")
    # The thread exists but its header card is not posted yet (a Telegram topic between its
    # creation and its card, or a card that failed): the next send posts the card first.
    card_owed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "thread"
        unique_together = (("contact", "line"),)


class Conversation(Model):
    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="conversations", db_index=True
    )
    identity: fields.ForeignKeyRelation[Identity] = fields.ForeignKeyField(
        "models.Identity", related_name="conversations"
    )
    entry_point: fields.ForeignKeyRelation[EntryPoint] = fields.ForeignKeyField(
        "models.EntryPoint", related_name="conversations"
    )
    line: fields.ForeignKeyRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="conversations"
    )
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="conversations", db_index=True
    )
    assignee: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="conversations", null=True, db_index=True
    )
    status = fields.CharEnumField(ConversationStatus, default=ConversationStatus.QUEUED)
    # Equal to contact_id while the conversation is not closed: the unique index is what
    # keeps two racing first messages from opening two conversations.
    open_key = fields.IntField(null=True, unique=True)
    card_message_id = fields.CharField(max_length=64, null=True)
    topic = fields.CharField(max_length=128, null=True)
    result = fields.CharField(max_length=256, null=True)
    comment = fields.TextField(null=True)
    # A /close waiting for its topic or result buttons: {"result": ..., "comment": ...}.
    closing = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)  # reports by period
    queued_at = fields.DatetimeField(null=True)  # when it last started waiting in the queue
    first_response_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    snoozed_until = fields.DatetimeField(null=True)
    last_customer_message_at = fields.DatetimeField(null=True)
    last_operator_message_at = fields.DatetimeField(null=True)
    out_of_hours_sent_at = fields.DatetimeField(null=True)
    csat_asked_at = fields.DatetimeField(null=True)
    csat_score = fields.IntField(null=True)
    csat_rated_at = fields.DatetimeField(null=True)
    csat_comment = fields.TextField(null=True)

    class Meta:
        table = "conversation"

    @property
    def number(self) -> int:
        return self.id


class Message(Model):
    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", db_index=True
    )
    direction = fields.CharEnumField(Direction)
    author_operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="messages", null=True
    )
    kind = fields.CharField(max_length=16, default="text")
    text = fields.TextField(null=True)
    content = fields.JSONField(default=dict)
    # Where the message came from ("telegram:<bot>:<chat>:<message>"): a second copy of the
    # same update hits this unique key and is dropped.
    source_key = fields.CharField(max_length=160, null=True, unique=True)
    album_key = fields.CharField(max_length=160, null=True)
    reply_to: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="replies", null=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"


class MessageLink(Model):
    """One copy of a message on one side; the one table that makes edits and replies work."""

    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="links", db_index=True
    )
    chat = fields.CharField(max_length=64)
    external_id = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message_link"
        unique_together = (("chat", "external_id"),)


class Delivery(Model):
    """One outbound API call waiting in the outbox."""

    id = fields.BigIntField(primary_key=True)
    target = fields.CharField(max_length=64, db_index=True)
    # A DeliveryKind, kept a plain CharField: a kind this version does not know (written by a
    # newer one) must reach the worker, which marks it dead, not fail the query that reads it.
    op = fields.CharField(max_length=32)
    payload = fields.JSONField(default=dict)
    group_key = fields.CharField(max_length=160, null=True)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="deliveries", null=True
    )
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="deliveries", null=True
    )
    status = fields.CharEnumField(DeliveryStatus, default=DeliveryStatus.PENDING, db_index=True)
    attempts = fields.IntField(default=0)
    not_before = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "delivery"


class QuickReply(Model):
    """A canned answer: `/q name` sends it. Scope: global, one line's, or one operator's."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    scope = fields.CharField(max_length=8, default="global")  # global | line | personal
    line: fields.ForeignKeyNullableRelation[Line] = fields.ForeignKeyField(
        "models.Line", related_name="quick_replies", null=True
    )
    operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="quick_replies", null=True
    )
    texts = fields.JSONField(default=dict)  # {"en": "...", "ru": "...", "uk": "..."}
    usage_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "quick_reply"


class AuditEntry(Model):
    """Who changed what and when: assignee, status, line, topic, contact and line settings."""

    id = fields.BigIntField(primary_key=True)
    action = fields.CharField(max_length=32, db_index=True)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="audit", null=True, db_index=True
    )
    # The operator the entry is about (a status change), when it is about one.
    operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="audit_about", null=True
    )
    actor: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="audit_done", null=True
    )
    actor_name = fields.CharField(max_length=128)  # "Olga", "system", "cli"
    old_value = fields.CharField(max_length=256, null=True)
    new_value = fields.CharField(max_length=256, null=True)
    details = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_entry"
        # A report reads the assignments and statuses of each of its conversations.
        indexes = (("conversation", "action"),)


class AdminAccount(Model):
    """A person who signs in to the web admin panel."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=256)
    role = fields.CharField(max_length=16, default="admin")  # admin | supervisor | operator
    # Supervisors see the lines of this operator; operators see its conversations.
    operator: fields.ForeignKeyNullableRelation[Operator] = fields.ForeignKeyField(
        "models.Operator", related_name="admin_accounts", null=True
    )
    language = fields.CharField(max_length=8, default="en")
    disabled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "admin_account"


class AdminSession(Model):
    """A signed-in browser, when Redis does not keep sessions. Only a hash of the cookie's
    token is stored, so a copy of the database signs nobody in."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    account: fields.ForeignKeyRelation[AdminAccount] = fields.ForeignKeyField(
        "models.AdminAccount", related_name="sessions"
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "admin_session"


class Setting(Model):
    """A global setting changed in the admin panel; it wins over the environment's value."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "setting"


class RuleKind(StrEnum):
    INCOMING = "incoming"  # a new conversation, a customer's message
    CHANGED = "changed"  # status, assignee, line or topic changed; an operator wrote


class Rule(Model):
    """One rule of the desk's two ordered lists: when its conditions hold for an event, its
    actions run. `conditions` and `actions` are lists of one-key mappings (bot/rules/schema)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(RuleKind, max_length=16)
    position = fields.IntField(default=0)  # its place in its list, smallest first
    name = fields.CharField(max_length=128)
    enabled = fields.BooleanField(default=True)
    match = fields.CharField(max_length=8, default="all")  # all | any
    conditions = fields.JSONField(default=list)
    actions = fields.JSONField(default=list)
    stop = fields.BooleanField(default=False)  # no later rule of the list runs after it
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "rule"
        unique_together = (("kind", "name"),)


class ApiRequest(Model):
    """A POST of the REST API by its `Idempotency-Key`: the same key with the same body gets
    the stored answer again, with another body a 409."""

    id = fields.BigIntField(primary_key=True)
    entry_point: fields.ForeignKeyRelation[EntryPoint] = fields.ForeignKeyField(
        "models.EntryPoint", related_name="api_requests"
    )
    key = fields.CharField(max_length=128)
    fingerprint = fields.CharField(max_length=64)  # sha256 of the method, path and body
    status = fields.IntField()
    response = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_request"
        unique_together = (("entry_point", "key"),)


class WebchatItem(Model):
    """One line of a web chat visitor's window, as the widget shows it: the visitor's message,
    an operator's answer, the desk's words or a question with buttons. A reload, a second tab
    or a long poll reads these; an operator's edit or deletion changes its line."""

    id = fields.BigIntField(primary_key=True)
    entry_point: fields.ForeignKeyRelation[EntryPoint] = fields.ForeignKeyField(
        "models.EntryPoint", related_name="webchat_items"
    )
    visitor = fields.CharField(max_length=64)  # the identity's external id, "<ep id>:<visitor>"
    kind = fields.CharField(max_length=8)  # in | out | notice | question
    text = fields.TextField(null=True)
    author = fields.CharField(max_length=128, null=True)
    message_id = fields.IntField(null=True)
    # A question's buttons: [[label, command, conversation id, arg], ...]; the chosen index.
    buttons = fields.JSONField(null=True)
    answered = fields.IntField(null=True)
    # Files shown with the line: [{"id", "name", "type", "size", "key"}] ("key" signs links).
    files = fields.JSONField(null=True)
    deleted = fields.BooleanField(default=False)
    # A visitor's message: when an operator first acted after it (answered, took it).
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webchat_item"
        indexes = (("visitor", "id"),)


class StoredFile(Model):
    """The bytes of a file that lives in no messenger: a web chat visitor's or an API
    contact's upload, and an operator's file passed on to them. In the database, so that
    every instance of the desk serves it; dropped after RELAYDESK_FILES_RETENTION_DAYS."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="files", null=True, on_delete=fields.CASCADE
    )
    message: fields.ForeignKeyNullableRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="files", null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=255)
    mime = fields.CharField(max_length=128)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    data = fields.BinaryField()
    link_key = fields.CharField(max_length=64)  # signs this file's download links
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "stored_file"
