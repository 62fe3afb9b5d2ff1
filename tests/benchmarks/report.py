"""The report on a year of data: a generator fills N conversations (and ten messages each,
with their audit trail) spread over a year, then times a 30-day report with filters, its
first page of rows, and reads the whole year's table the way the CSV export does while
watching the process's memory. With `--business-hours` two of the three lines are open
Monday to Friday 09:00-18:00, so that their reaction times are counted in open time.

    .venv/bin/python -m tests.benchmarks.report --db sqlite --conversations 100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.reports import rows, sql
from bot.reports.figures import build
from bot.reports.request import ReportRequest
from storage import db
from storage.models import (
    AuditEntry,
    Contact,
    Conversation,
    EntryPoint,
    Identity,
    Line,
    Message,
    Operator,
    Thread,
)
from tests.benchmarks.databases import create_database, drop_database

YEAR_START = datetime(2025, 6, 1, tzinfo=UTC)
BATCH = 2000
WEEKDAYS = {
    "timezone": "Europe/Kyiv",
    "days": {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")},
}


async def fill(total: int, messages_each: int, seed: int = 7, hours: bool = False) -> None:
    rng = random.Random(seed)
    lines = [
        await Line.create(
            slug=f"l{n}",
            name=f"Line {n}",
            workspace_kind="telegram",
            workspace_chat=f"-100{n}",
            business_hours=WEEKDAYS if hours and n < 2 else None,
        )
        for n in range(3)
    ]
    entry_points = [
        await EntryPoint.create(
            channel=channel, key=f"{channel}:{n}", name=f"{channel} {n}", line=lines[n % 3]
        )
        for n, channel in enumerate(("telegram", "webchat", "telegram", "vk"))
    ]
    operators = [await Operator.create(name=f"Operator {n}") for n in range(20)]
    step = timedelta(days=365) / total
    message_id = 0
    for first in range(1, total + 1, BATCH):
        contacts, identities, threads, conversations, audit, said = [], [], [], [], [], []
        for n in range(first, min(first + BATCH, total + 1)):
            created = YEAR_START + step * n
            entry = entry_points[n % 4]
            line = lines[n % 3]
            contacts.append(Contact(id=n, name=f"Customer {n}", created_at=created))
            identities.append(
                Identity(
                    id=n,
                    contact_id=n,
                    channel=entry.channel,
                    external_id=str(n),
                    display_name=f"Customer {n}",
                    created_at=created,
                )
            )
            threads.append(
                Thread(
                    id=n,
                    contact_id=n,
                    line_id=line.id,
                    workspace_kind="telegram",
                    workspace_chat=line.workspace_chat,
                    created_at=created,
                )
            )
            operator = rng.choice(operators)
            answered = rng.random() < 0.9
            closed = (
                created + timedelta(minutes=rng.randint(5, 240)) if rng.random() < 0.85 else None
            )
            conversations.append(
                Conversation(
                    id=n,
                    contact_id=n,
                    identity_id=n,
                    entry_point_id=entry.id,
                    line_id=line.id,
                    thread_id=n,
                    assignee_id=operator.id if answered else None,
                    status="closed" if closed else ("open" if answered else "queued"),
                    open_key=None if closed else n,
                    created_at=created,
                    first_response_at=created + timedelta(seconds=rng.randint(10, 900))
                    if answered
                    else None,
                    closed_at=closed,
                    result="solved" if closed else None,
                    csat_score=rng.randint(1, 5) if closed and rng.random() < 0.4 else None,
                    topic=rng.choice(("Billing", "Delivery", None)),
                )
            )
            if answered:
                audit.append(
                    AuditEntry(
                        action="assignee",
                        conversation_id=n,
                        actor_name="system",
                        new_value=operator.name,
                        created_at=created + timedelta(seconds=5),
                    )
                )
            if closed and rng.random() < 0.1:
                audit.append(
                    AuditEntry(
                        action="status",
                        conversation_id=n,
                        actor_name="x",
                        old_value="open",
                        new_value="snoozed",
                        created_at=created + timedelta(minutes=2),
                    )
                )
                audit.append(
                    AuditEntry(
                        action="status",
                        conversation_id=n,
                        actor_name="x",
                        old_value="snoozed",
                        new_value="open",
                        created_at=created + timedelta(minutes=4),
                    )
                )
            if closed:
                audit.append(
                    AuditEntry(
                        action="status",
                        conversation_id=n,
                        actor_name="x",
                        old_value="open",
                        new_value="closed",
                        created_at=closed,
                    )
                )
            for k in range(messages_each):
                message_id += 1
                said.append(
                    Message(
                        id=message_id,
                        conversation_id=n,
                        direction="in" if k % 2 == 0 else "out",
                        text=f"message {k}",
                        created_at=created + timedelta(seconds=k),
                    )
                )
        async with in_transaction():
            for model, batch in (
                (Contact, contacts),
                (Identity, identities),
                (Thread, threads),
                (Conversation, conversations),
                (AuditEntry, audit),
                (Message, said),
            ):
                if batch:
                    await model.bulk_create(batch, batch_size=BATCH)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(kind: str, total: int, messages_each: int, hours: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url, name = await create_database(kind, Path(folder))
        try:
            await db.apply_migrations(url)
            await db.connect(url)
            started = time.perf_counter()
            await fill(total, messages_each, hours=hours)
            print(
                f"{kind}: filled {total} conversations, {total * messages_each} messages "
                f"in {time.perf_counter() - started:.0f} s"
            )
            zone = ZoneInfo("Europe/Kyiv")
            month = ReportRequest(date(2026, 3, 1), date(2026, 3, 30), zone)
            filtered = ReportRequest(
                date(2026, 3, 1),
                date(2026, 3, 30),
                zone,
                line_ids=(1, 2),
                statuses=("closed",),
                channels=("telegram",),
            )
            for stats in ("as loaded", "after ANALYZE"):
                if stats == "after ANALYZE":  # what autovacuum (or `ANALYZE`) soon gives
                    await sql.connection()[0].execute_script("ANALYZE")
                for label, asked in (("30 days", month), ("30 days, filtered", filtered)):
                    for _ in range(2):  # the second run is what a supervisor reloading sees
                        started = time.perf_counter()
                        report = await build(asked)
                        page = await rows.page(asked, 1, 50)
                        took = time.perf_counter() - started
                    print(
                        f"{kind} ({stats}): report {label}: {report.totals.created} "
                        f"conversations, figures + first page in {took:.2f} s ({len(page)} rows)"
                    )
            year = ReportRequest(date(2025, 6, 1), date(2026, 5, 31), zone, grouping="month")
            before = rss_mib()
            started, count = time.perf_counter(), 0
            async for chunk in rows.chunks(year):
                count += len(chunk)
            print(
                f"{kind}: table of a year, {count} rows in chunks in "
                f"{time.perf_counter() - started:.1f} s; "
                f"peak RSS {before:.0f} -> {rss_mib():.0f} MiB"
            )
        finally:
            await db.disconnect()
            await drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-each", type=int, default=10)
    parser.add_argument(
        "--business-hours", action="store_true", help="two of the three lines have hours"
    )
    args = parser.parse_args()
    asyncio.run(measure(args.db, args.conversations, args.messages_each, args.business_hours))


if __name__ == "__main__":
    main()
