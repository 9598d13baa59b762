"""Live updates: noticing that someone else wrote to the store, and drawing it once per burst.

A watcher thread asks the store every ``POLL_SECONDS`` whether anything was written (one
``PRAGMA data_version`` on SQLite, a look at the NOTIFYs on PostgreSQL: see ``EventLog.data_version``)
and tells the UI thread, which folds the new events and redraws. On a busy team store changes come
faster than a screen is worth redrawing: 50 people moving a card every 2 s are 25 changes a second,
each to be drawn by 49 other sessions on the same cores. So the watcher tells the UI once, waits
until the UI has taken that (a slow, loaded session is not sent a queue of them), and then lets
``REDRAW_EVERY`` pass before telling it again: whatever arrived meanwhile is folded and drawn as one
change. The first change after a quiet spell still shows within one poll.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

POLL_SECONDS = 0.12  # a change shows within a poll and a draw (~150 ms on a quiet machine)
# At most this many redraws a second for others' changes: every one costs each session a few ms of
# CPU (fold, board, Textual's render, the bytes to the terminal); this keeps a session at ≤ 4 a
# second however many people write, and a change waits at most this long for the one before.
REDRAW_EVERY = 0.25


class StoreWatch:
    """``run()`` on a thread of its own; ``changed()`` is called there (it posts to the UI, which
    calls ``taken()`` before it folds); ``stop()`` ends ``run()`` within a poll."""

    def __init__(self, version: Callable[[], int], changed: Callable[[], None],
                 poll: float | None = None, every: float | None = None) -> None:
        self._version = version
        self._changed = changed
        self.poll = POLL_SECONDS if poll is None else poll
        self.every = REDRAW_EVERY if every is None else every
        self._stop = threading.Event()
        self._taken = threading.Event()
        self._taken.set()

    def run(self) -> None:
        last = self._version()
        while not self._stop.wait(self.poll):
            version = self._version()
            if version == last:
                continue
            last = version
            told = time.monotonic()
            self._taken.clear()
            self._changed()
            # Changes committed before the UI takes this one are folded with it (it reads the
            # store's position after taking); those after, on the next turn, one window later.
            while not self._taken.wait(self.poll):
                if self._stop.is_set():
                    return
            rest = self.every - (time.monotonic() - told)
            if rest > 0 and self._stop.wait(rest):
                return

    def taken(self) -> None:
        """The UI is about to fold: changes from now on are told again."""
        self._taken.set()

    def stop(self) -> None:
        self._stop.set()
