"""The open windows of each visitor in this process: a WebSocket's queue, or a long poll
waiting for news. `push` never waits: a slow socket's lines queue behind each other, in
order, and a long poll wakes to read the transcript."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

# Lines queued for one socket that does not read; past this it is closed (it reconnects and
# reads the transcript).
QUEUE_LIMIT = 256


class Window:
    """One open WebSocket of a visitor: what to send it, in order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT)

    def put(self, item: dict[str, Any]) -> bool:
        return self.send({"type": "item", "item": item})

    def send(self, frame: dict[str, Any]) -> bool:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            return False
        return True

    def close(self) -> None:
        try:
            self.queue.put_nowait(None)
        except asyncio.QueueFull:
            self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    def __init__(self) -> None:
        self._windows: dict[str, set[Window]] = defaultdict(set)
        self._polls: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._closing = False
        # Told of every line pushed here: other instances' windows (bridges/webchat/fanout.py).
        self.announce: Callable[[str, dict[str, Any]], None] | None = None

    def push(self, visitor: str, item: dict[str, Any]) -> None:
        self.show(visitor, item)
        if self.announce is not None:
            self.announce(visitor, item)

    def show(self, visitor: str, item: dict[str, Any]) -> None:
        """In this process's windows only."""
        for window in list(self._windows.get(visitor, ())):
            if not window.put(item):
                window.close()
        for waiting in self._polls.get(visitor, ()):
            waiting.set()

    def open(self, visitor: str) -> Window:
        window = Window()
        self._windows[visitor].add(window)
        return window

    def closed(self, visitor: str, window: Window) -> None:
        windows = self._windows.get(visitor)
        if windows is not None:
            windows.discard(window)
            if not windows:
                del self._windows[visitor]

    @contextlib.contextmanager
    def listening(self, visitor: str) -> Iterator[asyncio.Event]:
        """An event set when something is pushed to `visitor` (or the desk stops): listen
        first, then read the transcript, then wait, and nothing slips in between."""
        news = asyncio.Event()
        if self._closing:
            news.set()
        self._polls[visitor].add(news)
        try:
            yield news
        finally:
            polls = self._polls.get(visitor)
            if polls is not None:
                polls.discard(news)
                if not polls:
                    del self._polls[visitor]

    @property
    def open_windows(self) -> int:
        return sum(len(w) for w in self._windows.values())

    def close_all(self) -> None:
        """The desk stops: every socket closes (the widget reconnects), every poll returns."""
        self._closing = True
        for windows in self._windows.values():
            for window in windows:
                window.close()
        for polls in self._polls.values():
            for news in polls:
                news.set()
