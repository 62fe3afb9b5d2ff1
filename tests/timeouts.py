"""A test past its time limit (pytest-timeout, `timeout` in pyproject.toml) fails with the
stacks of the event loop's tasks as well as the threads': a hung asyncio test sits in
`select()`, and only the tasks' stacks show what it waits for. If its teardown then hangs
too, the run ends (exit status 1) with every stack, rather than stopping CI."""

from __future__ import annotations

import asyncio
import io
import signal
import threading

import pytest
import pytest_timeout

TEARDOWN_GRACE = 60.0
GRACE = pytest.StashKey[threading.Timer]()


def task_stacks() -> str:
    """Every task of the running loop with the line it waits on."""
    loop = asyncio._get_running_loop()
    if loop is None:
        return "no running event loop"
    out = io.StringIO()
    for task in asyncio.all_tasks(loop):
        out.write(f"\n--- {task.get_name()}: {task.get_coro()!r}\n")
        task.print_stack(limit=12, file=out)
    return out.getvalue()


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings) -> bool | None:
    """The signal method, with the tasks' stacks written before the failure is raised."""
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame) -> None:
        __tracebackhide__ = True
        terminal = item.config.get_terminal_writer()
        terminal.sep("+", title="Timeout: the event loop's tasks")
        terminal.write(task_stacks() + "\n")
        # Teardown still runs fixtures on the event loop; should it hang as well, the run
        # ends with every stack instead of waiting forever.
        grace = threading.Timer(TEARDOWN_GRACE, pytest_timeout.timeout_timer, (item, settings))
        grace.daemon = True
        grace.start()
        item.stash[GRACE] = grace
        pytest_timeout.timeout_sigalrm(item, settings)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item):
    """The teardown after a timeout ended in time: no need to end the run."""
    yield
    grace = item.stash.get(GRACE, None)
    if grace is not None:
        grace.cancel()
