"""The core's services, built once at start-up and handed to bridges and the web app.

Bridges take what they serve from it (the inbox, the workspace flow, the deduper) and hand
back their ports when they have connected (`connect_workspace`, `connect_customers`); the
outbox, the desk actions and the membership checks read those through `Connections`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.api.events import ApiEvents
from bot.base.clock import Clock
from bot.base.connections import Connections, CustomerPorts, WorkspacePorts
from bot.base.dedupe import Deduper, MemoryDeduper, RedisDeduper
from bot.base.health import Health
from bot.base.i18n import Translator
from bot.base.locks import KeyedLock, MemoryLocks, RedisLocks
from bot.base.metrics import Metrics
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bot.base.setup_check import SetupCheck
from bot.base.turns import RedisTurns, Turns, database_turn, only_instance
from bot.commands.all import all_commands
from bot.conversations.desk_actions import DeskActions
from bot.conversations.inbox import Inbox
from bot.conversations.scheduler import Scheduler
from bot.conversations.workspace_flow import WorkspaceFlow
from bot.directory.live_settings import LiveSettings
from bot.outbox.executor import DeliveryExecutor
from bot.outbox.pacing import MemoryPacer, Pacer, RedisPacer
from bot.outbox.queue import Outbox
from bot.outbox.shares import AllMine, RedisShares, Shares
from bot.outbox.worker import OutboxWorker
from bot.people.operator_lookup import Operators
from bot.rules.book import RuleBook
from bot.rules.runner import Rules
from bot.suggestions.suggester import Suggestions
from storage import db
from storage.models import Line

log = logging.getLogger(__name__)


@dataclass
class Core:
    settings: Settings
    live_settings: LiveSettings  # what the panel changes while running: read these here
    clock: Clock
    translator: Translator
    health: Health
    deduper: Deduper
    outbox: Outbox
    inbox: Inbox
    flow: WorkspaceFlow
    worker: OutboxWorker
    actions: DeskActions  # the panel changes operators' statuses through these
    scheduler: Scheduler
    connections: Connections
    rules: Rules  # `rules.book.announce()` after a rule is saved
    suggestions: Suggestions  # `suggestions.refresh()` reads the lines and texts again
    default_line: Line | None = None
    redis: Any = None  # the shared client, when RELAYDESK_REDIS_URL is set
    setup_checks: Mapping[str, SetupCheck] = field(default_factory=dict)
    # What turns an outside error into words masks the desk's secrets with it.
    redactor: Redactor = field(default_factory=Redactor)
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics shows

    def connect_workspace(self, ports: WorkspacePorts) -> None:
        """A workspace bridge has reached its service: operators' threads can be served."""
        self.connections.connect_workspace(ports)

    def connect_customers(self, ports: CustomerPorts) -> None:
        """A customer channel has reached its service: customers can be answered."""
        self.connections.connect_customers(ports)


def _turns(settings: Settings, redis: Any) -> Turns:
    """Who runs the scheduler's rounds: the one instance on SQLite; on PostgreSQL one of
    several, through Redis when there is one, else through the database."""
    if db.is_single_instance(settings.database_url):
        return only_instance
    if redis is not None:
        return RedisTurns(redis, gap=settings.scheduler_seconds * 0.8)
    return database_turn


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    redis: Any = None,
    setup_checks: Mapping[str, SetupCheck] | None = None,
) -> Core:
    clock = clock or Clock()
    redactor = Redactor.of_settings(settings)
    metrics = Metrics()
    translator = Translator()
    health = Health(translator)
    if redis is not None:
        deduper: Deduper = RedisDeduper(redis)
        locks: KeyedLock = RedisLocks(redis)
        pacer: Pacer = RedisPacer(redis, clock=lambda: clock.now().timestamp())
    else:
        deduper = MemoryDeduper(clock.monotonic)
        locks = MemoryLocks()
        pacer = MemoryPacer(clock.monotonic)
    connections = Connections()
    live = LiveSettings(
        settings, clock=clock, redis=redis, refresh_seconds=settings.settings_refresh_seconds
    )
    shares: Shares = RedisShares(redis, clock) if redis is not None else AllMine()
    outbox = Outbox(clock, shares)
    actions = DeskActions(
        outbox=outbox, clock=clock, settings=settings, live=live, connections=connections
    )
    rules = Rules(
        book=RuleBook(redis=redis, refresh_seconds=settings.settings_refresh_seconds),
        actions=actions,
    )
    api_events = ApiEvents(outbox, clock)
    suggestions = Suggestions(
        outbox=outbox,
        clock=clock,
        default_language=lambda: live.default_language,
        refresh_seconds=settings.suggestions_refresh_seconds,
    )
    actions.watch(rules.changed)  # the rules first: the webhooks tell what they did too
    actions.watch(api_events.changed)
    inbox = Inbox(
        opened=api_events.opened,
        suggestions=suggestions,
        rules=rules,
        outbox=outbox,
        locks=locks,
        clock=clock,
        album_wait=settings.album_wait_seconds,
        first_wait=settings.first_message_wait_seconds,
        actions=actions,
        metrics=metrics,
    )
    flow = WorkspaceFlow(
        operators=Operators(
            connections.members,
            clock.monotonic,
            closed_kinds=frozenset() if settings.slack_auto_register else frozenset({"slack"}),
        ),
        outbox=outbox,
        registry=all_commands(),
        clock=clock,
        actions=actions,
        album_wait=settings.album_wait_seconds,
        note_prefix=lambda: live.note_prefix,
        bot_username=connections.bot_username,
        metrics=metrics,
    )
    executor = DeliveryExecutor(
        connections=connections,
        outbox=outbox,
        clock=clock,
        operator_language=settings.operator_language,
        customer_language=lambda: live.default_language,
        waiting_for=health.waiting_for,
        metrics=metrics,
    )
    worker = OutboxWorker(
        executor=executor,
        pacer=pacer,
        clock=clock,
        redactor=redactor,
        max_attempts=settings.max_attempts,
        metrics=metrics,
        shares=shares,
    )
    health.on_up(worker.resume)
    return Core(
        settings=settings,
        live_settings=live,
        clock=clock,
        translator=translator,
        health=health,
        deduper=deduper,
        outbox=outbox,
        inbox=inbox,
        flow=flow,
        worker=worker,
        actions=actions,
        scheduler=Scheduler(
            actions, settings.scheduler_seconds, worker.wake, _turns(settings, redis)
        ),
        connections=connections,
        rules=rules,
        suggestions=suggestions,
        redis=redis,
        setup_checks=dict(setup_checks or {}),
        redactor=redactor,
        metrics=metrics,
    )
