"""The connected messengers: what each bridge hands the core once it has reached its service.

A workspace bridge (a Telegram forum, a Slack channel) hands a `WorkspacePorts`; a customer
channel (Telegram private chats, later web chat and others) hands a `CustomerPorts`. Until
then the core knows the name only: the outbox waits for it (see `Health`), and membership
checks refuse. Everything in the core that sends or checks asks this registry, by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.base.files import Files
from bot.base.ports import (
    CustomerSender,
    FileData,
    FileSource,
    MembershipChecker,
    Outgoing,
    ShowsTyping,
    WebhookPoster,
    WorkspaceSender,
)


@dataclass(frozen=True)
class WorkspacePorts:
    """A connected workspace. `files` reads the files operators post there; `bot_username`
    is the bot's name where commands may carry it (`/take@relaydesk_bot`)."""

    kind: str
    sender: WorkspaceSender
    members: MembershipChecker
    files: FileSource | None = None
    bot_username: str | None = None
    typing: ShowsTyping | None = None  # None: the workspace cannot show a customer typing

    @property
    def origin(self) -> str:
        """The chat-key prefix of the messages posted in this workspace."""
        return f"ws:{self.kind}"


@dataclass(frozen=True)
class CustomerPorts:
    """A connected customer channel, reached through one entry point (a bot, a widget).
    `webhooks` POSTs signed webhook calls (the API channel's conversation events)."""

    channel: str
    entry_point_key: str
    sender: CustomerSender
    files: FileSource | None = None
    webhooks: WebhookPoster | None = None


class Connections:
    def __init__(self) -> None:
        self._workspaces: dict[str, WorkspacePorts] = {}
        self._customers: dict[str, CustomerPorts] = {}
        self._files = Files()
        self._webhooks: WebhookPoster | None = None

    def connect_workspace(self, ports: WorkspacePorts) -> None:
        self._workspaces[ports.kind] = ports
        if ports.files is not None:
            self._files.register(ports.origin, ports.files)

    def connect_customers(self, ports: CustomerPorts) -> None:
        self._customers[ports.channel] = ports
        if ports.webhooks is not None:
            self._webhooks = ports.webhooks
        if ports.files is not None:
            self._files.register(ports.entry_point_key, ports.files)

    def workspace(self, kind: str) -> WorkspaceSender | None:
        ports = self._workspaces.get(kind)
        return ports.sender if ports else None

    def typing(self, kind: str) -> ShowsTyping | None:
        ports = self._workspaces.get(kind)
        return ports.typing if ports else None

    def customers(self, channel: str) -> CustomerSender | None:
        ports = self._customers.get(channel)
        return ports.sender if ports else None

    @property
    def webhooks(self) -> WebhookPoster | None:
        return self._webhooks

    def members(self, kind: str) -> MembershipChecker | None:
        ports = self._workspaces.get(kind)
        return ports.members if ports else None

    def bot_username(self, kind: str) -> str | None:
        ports = self._workspaces.get(kind)
        return ports.bot_username if ports else None

    @property
    def workspace_kinds(self) -> list[str]:
        return sorted(self._workspaces)

    @property
    def customer_channels(self) -> list[str]:
        return sorted(self._customers)

    async def fetch_files(self, message: Outgoing) -> list[FileData]:
        """The files of `message`, read from the messenger it was written in."""
        return await self._files.fetch(message)
