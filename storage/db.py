"""Database connection and migrations (aerich)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from aerich import Command
from aerich.models import Aerich
from tortoise import Tortoise, connections
from tortoise.backends.base import executor as tortoise_executor
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import OperationalError

from storage import cancellable_transactions, postgres_pool, sqlite_in_loop

log = logging.getLogger(__name__)

cancellable_transactions.install()

MIGRATIONS = Path(__file__).parent / "migrations"
MODEL_MODULES = ["storage.models", "aerich.models"]


def normalize_url(url: str) -> str:
    """Accept the spellings people paste: postgresql:// and postgresql+asyncpg://."""
    for prefix in ("postgresql+asyncpg://", "postgresql://"):
        if url.startswith(prefix):
            return "postgres://" + url[len(prefix) :]
    return url


def _with_sqlite_defaults(url: str) -> str:
    """WAL with synchronous=NORMAL: a commit survives the process being killed (what we
    promise) without an fsync per transaction; only a power cut may lose the last ones."""
    if not url.startswith("sqlite") or "synchronous=" in url or ":memory:" in url:
        return url
    return url + ("&" if "?" in url else "?") + "synchronous=NORMAL"


def _connection(url: str) -> dict[str, Any]:
    """The URL's settings, through the desk's own clients: `storage.sqlite_in_loop` for
    SQLite, `storage.postgres_pool` for PostgreSQL."""
    config = expand_db_url(_with_sqlite_defaults(normalize_url(url)))
    ours = _CLIENTS.get(config["engine"])
    return {**config, "engine": ours.__name__} if ours else config


_CLIENTS = {"tortoise.backends.sqlite": sqlite_in_loop, "tortoise.backends.asyncpg": postgres_pool}


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(url)},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


# For the aerich command line: `aerich migrate` with RELAYDESK_DATABASE_URL set.
TORTOISE_ORM = tortoise_config(os.environ.get("RELAYDESK_DATABASE_URL", "sqlite://relaydesk.db"))


def _forget_compiled_queries() -> None:
    """Tortoise caches compiled INSERTs per connection *name*, not per dialect; a process
    that opens SQLite and then PostgreSQL (the test suite does) must start clean."""
    tortoise_executor.EXECUTOR_CACHE.clear()


def all_migrations() -> list[str]:
    names = [p.name for p in (MIGRATIONS / "models").glob("*.py") if p.stem.split("_")[0].isdigit()]
    return sorted(names, key=lambda name: int(name.split("_")[0]))  # as aerich orders them


async def apply_migrations(url: str) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    # Init first: aerich skips it when an earlier, closed context of this task looks inited.
    await connect(url)
    try:
        command = Command(
            tortoise_config=tortoise_config(url), app="models", location=str(MIGRATIONS)
        )
        await command.init()
        return await command.upgrade(run_in_transaction=True)
    finally:
        await disconnect()


async def pending_migrations(url: str) -> list[str]:
    """Migrations not yet applied to the database at `url` (connects and closes)."""
    _forget_compiled_queries()
    await Tortoise.init(config=tortoise_config(url))
    try:
        try:
            applied = set(await Aerich.filter(app="models").values_list("version", flat=True))
        except OperationalError:
            applied = set()
        return [name for name in all_migrations() if name not in applied]
    finally:
        await Tortoise.close_connections()


async def connect(url: str) -> None:
    _forget_compiled_queries()
    await Tortoise.init(config=tortoise_config(url))


async def disconnect() -> None:
    await Tortoise.close_connections()


async def ping() -> None:
    """Raises unless the database answers a trivial query now."""
    await connections.get("default").execute_query("SELECT 1")


def is_single_instance(url: str) -> bool:
    """SQLite has one writer, so one Relaydesk process: its old claims are its own."""
    return normalize_url(url).startswith("sqlite")
