"""What `/metrics` shows: counters the hot paths bump, gauges filled when it is scraped.

Each desk has its own registry (made with the core, not at import), so two desks in one
process (the tests) never count into each other. Counting is an increment in memory; what
the database knows (the queue, open conversations) is read only when Prometheus asks
(`bot/reports/live_gauges`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# From an instant send to a long outage: an hour or more is an outage, not a slow send.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._updates = Counter(
            "relaydesk_updates_handled",
            "Messages, edits and deletions taken in from customers and operators.",
            ["side", "messenger"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "relaydesk_delivery_latency_seconds",
            "From a delivery's being stored to its being sent.",
            ["target_kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._rate_limited = Counter(
            "relaydesk_delivery_rate_limited",
            "Sends the messenger answered with 429 (rate limited); each waits retry_after.",
            ["target_kind"],
            registry=self.registry,
        )
        self._retries = Counter(
            "relaydesk_delivery_retries",
            "Sends that failed for a passing reason (network, 5xx, a deleted thread) and are "
            "tried again later.",
            ["target_kind"],
            registry=self.registry,
        )
        self._dead = Counter(
            "relaydesk_deliveries_dead",
            "Deliveries given up for good (refused, or out of attempts).",
            ["target_kind"],
            registry=self.registry,
        )
        self._pending = Gauge(
            "relaydesk_outbox_pending",
            "Deliveries waiting in the outbox, read from the database at scrape time.",
            ["target_kind"],
            registry=self.registry,
        )
        self._open = Gauge(
            "relaydesk_open_conversations",
            "Conversations not closed, per line and status, read at scrape time.",
            ["line", "status"],
            registry=self.registry,
        )

    # -- the hot paths ------------------------------------------------------------------------

    def update_handled(self, side: str, messenger: str) -> None:
        """`side` is `customer` or `workspace`; `messenger` the channel or workspace kind."""
        self._updates.labels(side, messenger).inc()

    def sent(self, target_kind: str, stored_at: Iterable[datetime]) -> None:
        now = datetime.now(UTC)  # stored_at is the database's stamp, on the real clock
        histogram = self._latency.labels(target_kind)
        for stamp in stored_at:
            histogram.observe(max((now - stamp).total_seconds(), 0.0))

    def rate_limited(self, target_kind: str) -> None:
        self._rate_limited.labels(target_kind).inc()

    def retried(self, target_kind: str) -> None:
        self._retries.labels(target_kind).inc()

    def dead(self, target_kind: str, count: int = 1) -> None:
        self._dead.labels(target_kind).inc(count)

    # -- at scrape time -----------------------------------------------------------------------

    def set_pending(self, counts: Mapping[str, int]) -> None:
        for target_kind, count in counts.items():
            self._pending.labels(target_kind).set(count)

    def set_open_conversations(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Every (line, status) there is now; a line deleted since the last scrape goes."""
        self._open.clear()
        for (line, status), count in counts.items():
            self._open.labels(line, status).set(count)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
