"""The relay benchmark's table: one column per run, then the median of each side and the ratio
new/old."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from tests.benchmarks.relay_run import Run


@dataclass(frozen=True)
class Metric:
    name: str
    value: Callable[[Run], float | None]
    form: str = "{:.2f}"
    ratio: bool = True


def _per(count: int, messages: int) -> float:
    return count / messages if messages else 0.0


METRICS = [
    Metric("customer texts copied", lambda r: r.burst.copied, "{:.0f}", ratio=False),
    Metric("operator replies delivered", lambda r: r.replies.copied, "{:.0f}", ratio=False),
    Metric("customer → topic, msg/s", lambda r: r.burst.rate(), "{:.1f}"),
    Metric("operator → customer, msg/s", lambda r: r.replies.rate(), "{:.1f}"),
    Metric("burst latency p50, s", lambda r: r.burst.percentile(0.5)),
    Metric("burst latency p99, s", lambda r: r.burst.percentile(0.99)),
    Metric("reply latency p99, s", lambda r: r.replies.percentile(0.99)),
    Metric("desk CPU, burst + replies, s", lambda r: r.desk_cpu),
    Metric("desk CPU, burst, s", lambda r: r.burst.desk_cpu),
    Metric("desk CPU, replies, s", lambda r: r.replies.desk_cpu),
    Metric("desk CPU, start, s", lambda r: r.start_cpu),
    Metric("PostgreSQL CPU (its backends), s", lambda r: r.db_cpu),
    Metric("Redis server CPU, s", lambda r: r.redis_cpu),
    Metric("fake + driver CPU, s", lambda r: r.fake_cpu),
    Metric("wall time of both phases, s", lambda r: r.wall, "{:.1f}", ratio=False),
    Metric("Bot API calls (no getUpdates)", lambda r: r.calls, "{:.0f}"),
    Metric("calls per message", lambda r: _per(r.calls, r.burst.sent + r.replies.sent)),
    Metric("calls per customer text", lambda r: _per(r.burst.calls, r.burst.sent)),
    Metric("calls per operator reply", lambda r: _per(r.replies.calls, r.replies.sent)),
    Metric("group calls per customer text", lambda r: _per(r.burst.group_calls, r.burst.sent)),
    Metric("group calls per operator reply", lambda r: _per(r.replies.group_calls, r.replies.sent)),
    Metric("getUpdates calls", lambda r: r.polls, "{:.0f}", ratio=False),
    Metric("customers out of order", lambda r: r.out_of_order, "{:.0f}", ratio=False),
    Metric("ERROR lines in the desk's log", lambda r: r.log_errors, "{:.0f}", ratio=False),
    Metric("desk peak RSS (VmHWM), MiB", lambda r: r.rss_mib, "{:.0f}"),
    Metric("start → serving (the admin panel answers), s", lambda r: r.serving_in),
    Metric("start → /healthz 200, s", lambda r: r.healthy_in),
    Metric("start → first getUpdates, s", lambda r: r.first_poll_in),
]


def _median(runs: list[Run], metric: Metric) -> float | None:
    values = [v for v in (metric.value(r) for r in runs) if v is not None]
    return statistics.median(values) if values else None


def _cell(value: float | None, form: str) -> str:
    return "—" if value is None else form.format(value)


def table(
    new: list[Run],
    old: list[Run],
    runs: list[Run],
    names: tuple[str, str] = ("new", "old"),
    metrics: list[Metric] = METRICS,
) -> str:
    both = bool(new and old)
    header = ["metric", *(r.label for r in runs)]
    if both and len(runs) > 2:
        header += [f"{names[0]} (median)", f"{names[1]} (median)"]
    if both:
        header.append(f"{names[0]}/{names[1]}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for metric in metrics:
        cells = [metric.name, *(_cell(metric.value(r), metric.form) for r in runs)]
        a, b = _median(new, metric), _median(old, metric)
        if both and len(runs) > 2:
            cells += [_cell(a, metric.form), _cell(b, metric.form)]
        if both:
            useful = metric.ratio and a is not None and b
            cells.append(f"{a / b:.2f}" if useful else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
