"""CPU time and memory of other processes, read from /proc (Linux), no extra dependency."""

from __future__ import annotations

import os
import resource
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, all its threads (0.0 once it is gone)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (stat fields 14, 15)


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident memory."""
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def command_lines() -> dict[int, str]:
    """Every process's command line (the title a server like PostgreSQL sets), by pid."""
    found: dict[int, str] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            found[int(entry.name)] = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return found


class ProcessGroupCpu:
    """CPU spent by the processes whose command line contains `marker` since `start()`.

    A PostgreSQL backend's title names its database ("postgres: postgres relaydesk_bench_x
    127.0.0.1(5432) idle"), so the backends serving the benchmark's database are told apart
    from those of other users of the same server. Call `sample()` now and then: a process that
    ends between two samples loses its CPU since the last one."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def _matching(self) -> list[int]:
        return [pid for pid, line in command_lines().items() if self.marker in line]

    def start(self) -> None:
        self._first = {pid: cpu_seconds(pid) for pid in self._matching()}
        self._last = dict(self._first)

    def sample(self) -> None:
        for pid in self._matching():
            now = cpu_seconds(pid)
            self._first.setdefault(pid, 0.0)  # started after `start()`: all of it counts
            if now:
                self._last[pid] = now

    def seconds(self) -> float:
        self.sample()
        return sum(self._last.get(pid, first) - first for pid, first in self._first.items())
