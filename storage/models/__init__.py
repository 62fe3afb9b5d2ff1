"""Tortoise models for the vocabulary of ARCHITECTURE.md, one module per concept.

Tortoise's app module is this package ("storage.models"): every model is imported here.
The order matters: `storage.backup` exports the tables in the order the models are found
here, each after the tables it refers to."""

# The imports keep that order, not the alphabet's.
# ruff: noqa: I001

from storage.models.lines import RoutingPolicy, Line
from storage.models.entry_points import EntryPoint, ApiEntryPoint, WebchatEntryPoint
from storage.models.operators import OperatorStatus, Operator, LineMember
from storage.models.contacts import Contact, Identity
from storage.models.conversations import (
    ConversationStatus,
    Direction,
    Thread,
    Conversation,
    Message,
    MessageLink,
)
from storage.models.deliveries import DeliveryStatus, DeliveryKind, Delivery
from storage.models.quick_replies import QuickReply
from storage.models.audit import AuditEntry
from storage.models.admin_panel import AdminAccount, AdminSession, Setting
from storage.models.rules import RuleKind, Rule
from storage.models.api_requests import ApiRequest
from storage.models.webchat_items import WebchatItem
from storage.models.stored_files import StoredFile

__all__ = [
    "ConversationStatus",
    "Direction",
    "OperatorStatus",
    "RoutingPolicy",
    "DeliveryStatus",
    "DeliveryKind",
    "Line",
    "EntryPoint",
    "ApiEntryPoint",
    "WebchatEntryPoint",
    "Operator",
    "LineMember",
    "Contact",
    "Identity",
    "Thread",
    "Conversation",
    "Message",
    "MessageLink",
    "Delivery",
    "QuickReply",
    "AuditEntry",
    "AdminAccount",
    "AdminSession",
    "Setting",
    "RuleKind",
    "Rule",
    "ApiRequest",
    "WebchatItem",
    "StoredFile",
]
