"""The core's services, built once at start-up and handed to bridges and the web app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.base.clock import Clock
from bot.base.dedupe import Deduper, MemoryDeduper, RedisDeduper
from bot.base.files import Files
from bot.base.health import Health
from bot.base.i18n import Translator
from bot.base.locks import KeyedLock, MemoryLocks, RedisLocks
from bot.base.ports import CustomerSender, MembershipChecker, WorkspaceSender
from bot.base.settings import Settings
from bot.base.setup_check import SetupCheck
from bot.commands.all import all_commands
from bot.conversations.desk_actions import DeskActions
from bot.conversations.inbox import Inbox
from bot.conversations.scheduler import Scheduler
from bot.conversations.workspace_flow import WorkspaceFlow
from bot.outbox.executor import DeliveryExecutor
from bot.outbox.pacing import MemoryPacer, Pacer, RedisPacer
from bot.outbox.queue import Outbox
from bot.outbox.worker import OutboxWorker
from bot.people.operator_lookup import Operators
from storage.models import Line

log = logging.getLogger(__name__)


@dataclass
class Core:
    settings: Settings
    clock: Clock
    translator: Translator
    deduper: Deduper
    locks: KeyedLock
    pacer: Pacer
    outbox: Outbox
    inbox: Inbox
    flow: WorkspaceFlow
    worker: OutboxWorker
    actions: DeskActions
    scheduler: Scheduler
    workspaces: dict[str, WorkspaceSender] = field(default_factory=dict)
    customers: dict[str, CustomerSender] = field(default_factory=dict)
    members: dict[str, MembershipChecker] = field(default_factory=dict)
    bot_usernames: dict[str, str | None] = field(default_factory=dict)
    default_line: Line | None = None
    redis: Any = None  # the shared client, when RELAYDESK_REDIS_URL is set
    files: Files = field(default_factory=Files)
    health: Health = field(default_factory=Health)
    setup_checks: Mapping[str, SetupCheck] = field(default_factory=dict)


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    redis: Any = None,
    setup_checks: Mapping[str, SetupCheck] | None = None,
) -> Core:
    clock = clock or Clock()
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
    workspaces: dict[str, WorkspaceSender] = {}
    customers: dict[str, CustomerSender] = {}
    members: dict[str, MembershipChecker] = {}
    bot_usernames: dict[str, str | None] = {}
    outbox = Outbox(clock)
    actions = DeskActions(outbox=outbox, clock=clock, settings=settings, workspaces=workspaces)
    inbox = Inbox(
        outbox=outbox,
        locks=locks,
        clock=clock,
        album_wait=settings.album_wait_seconds,
        actions=actions,
    )
    flow = WorkspaceFlow(
        operators=Operators(
            members,
            clock.monotonic,
            closed_kinds=frozenset() if settings.slack_auto_register else frozenset({"slack"}),
        ),
        outbox=outbox,
        registry=all_commands(),
        clock=clock,
        actions=actions,
        album_wait=settings.album_wait_seconds,
        note_prefix=lambda: settings.note_prefix,
        bot_usernames=bot_usernames,
    )
    executor = DeliveryExecutor(
        workspaces=workspaces,
        customers=customers,
        outbox=outbox,
        clock=clock,
        operator_language=settings.operator_language,
        customer_language=lambda: settings.default_language,
        waiting_for=health.waiting_for,
    )
    worker = OutboxWorker(
        executor=executor, pacer=pacer, clock=clock, max_attempts=settings.max_attempts
    )
    health.on_up(worker.resume)
    return Core(
        settings=settings,
        clock=clock,
        translator=translator,
        deduper=deduper,
        locks=locks,
        pacer=pacer,
        outbox=outbox,
        inbox=inbox,
        flow=flow,
        worker=worker,
        actions=actions,
        scheduler=Scheduler(actions, settings.scheduler_seconds, worker.wake),
        workspaces=workspaces,
        customers=customers,
        members=members,
        bot_usernames=bot_usernames,
        redis=redis,
        health=health,
        setup_checks=dict(setup_checks or {}),
    )
