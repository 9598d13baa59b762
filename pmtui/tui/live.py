"""Live updates: noticing that someone else wrote to the store, and drawing it once per burst.

A watcher thread learns that something was written and tells the UI thread, which folds the new
events and redraws. It learns it one of two ways:
- on its own, asking the store every ``POLL_SECONDS`` (one ``PRAGMA data_version`` on SQLite, a
  look at the NOTIFYs on PostgreSQL: see ``EventLog.data_version``);
- in an SSH session, from the server: ``pmtui serve`` watches the store once for all its sessions
  and writes a byte into each one's pipe (``PMTUI_CHANGES_FD``; see ``pmtui.ssh.changes``), so 50
  sessions do not ask the store 400 times a second, and a change is told within the server's
  poll (50 ms) instead of a session's (120 ms). If the server goes away the session asks itself.

On a busy team store changes come faster than a screen is worth redrawing: 50 people moving a
card every 2 s are 25 changes a second, each to be drawn by 49 other sessions on the same cores.
So the watcher tells the UI once, waits until the UI has taken that (a slow, loaded session is not
sent a queue of them) and drawn it, and then leaves it alone for ``REDRAW_EVERY`` from the telling,
and at least as long as the redraw took: whatever arrived meanwhile is folded and drawn as one
change. The second rule is what keeps a loaded machine from sinking: when the sessions wait for
the cores, each redraw takes longer, so each session redraws less often (at most half of its time
goes to others' changes) instead of all of them redrawing back to back. The first change after a
quiet spell still shows at once.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable

POLL_SECONDS = 0.12  # a change shows within a poll and a draw (~150 ms on a quiet machine)
# At most this many redraws a second for others' changes: every one costs each session a few ms of
# CPU (fold, board, Textual's render, the bytes to the terminal); this keeps a session at ≤ 4 a
# second however many people write, and a change waits at most this long for the one before.
REDRAW_EVERY = 0.25
DRAWN_WAIT = 2.0  # seconds to wait to hear that a redraw is on screen (then: as if it were)
CHANGES_FD = "PMTUI_CHANGES_FD"  # the server's pipe, in an SSH session's environment


def server_signals() -> int | None:
    """The read end of the server's change pipe, if this is an SSH session that has one."""
    value = os.environ.get(CHANGES_FD, "")
    if not value.isdigit():
        return None
    fd = int(value)
    try:
        os.set_blocking(fd, False)
        os.set_inheritable(fd, False)  # not for an editor the session starts
    except OSError:
        return None
    return fd


class StoreWatch:
    """``run()`` on a thread of its own; ``changed()`` is called there (it posts to the UI, which
    calls ``taken()`` before it folds and ``drawn()`` once the frame is painted); ``stop()`` ends
    ``run()`` within a poll. ``signals``: the server's change pipe (else the store is asked)."""

    def __init__(self, version: Callable[[], int], changed: Callable[[], None],
                 poll: float | None = None, every: float | None = None, signals: int | None = None) -> None:
        self._version = version
        self._changed = changed
        self.poll = POLL_SECONDS if poll is None else poll
        self.every = REDRAW_EVERY if every is None else every
        self._signals = signals
        self._stop = threading.Event()
        self._taken = threading.Event()
        self._taken.set()
        self._drawn = threading.Event()
        self._drawn.set()
        self.last_draw = 0.0  # seconds from taken to painted, the last time
        self._wake: tuple[int, int] | None = os.pipe() if signals is not None else None  # stop() wakes select
        self._pipes = threading.Lock()

    def run(self) -> None:
        try:
            self._run()
        finally:
            with self._pipes:  # stop() may come later: it must not write to a closed (reused) fd
                for fd in (*(self._wake or ()), *((self._signals,) if self._signals is not None else ())):
                    os.close(fd)
                self._wake = self._signals = None

    def _run(self) -> None:
        last = self._version() if self._signals is None else 0
        while True:
            if self._signals is not None:
                if not self._signalled():
                    if self._stop.is_set():
                        return
                    last = self._version()  # the server is gone: ask the store from now on
                    continue
            else:
                if self._stop.wait(self.poll):
                    return
                version = self._version()
                if version == last:
                    continue
                last = version
            if not self._tell():
                return

    def _signalled(self) -> bool:
        """Wait for the server's byte (True), the server's end closing or ``stop()`` (False)."""
        assert self._signals is not None and self._wake is not None
        while not self._stop.is_set():
            ready, _, _ = select.select([self._signals, self._wake[0]], [], [])
            if self._signals not in ready:
                continue
            try:
                data = os.read(self._signals, 4096)  # every byte since the last look: one change
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                return True
            os.close(self._signals)
            self._signals = None
            return False
        return False

    def _tell(self) -> bool:
        """Tell the UI, wait until it has folded and drawn, then leave it alone a while. False
        once stopped."""
        told = time.monotonic()
        self._taken.clear()
        self._drawn.clear()
        self._changed()
        # Changes committed before the UI takes this one are folded with it (it reads the
        # store's position after taking); those after, on the next turn.
        while not self._taken.wait(self.poll):
            if self._stop.is_set():
                return False
        taken = time.monotonic()
        while not self._drawn.wait(self.poll):
            if self._stop.is_set():
                return False
            if time.monotonic() - taken > DRAWN_WAIT:
                break
        drawn = time.monotonic()
        self.last_draw = drawn - taken
        rest = max(told + self.every, drawn + self.last_draw) - drawn
        return not (rest > 0 and self._stop.wait(rest))

    def taken(self) -> None:
        """The UI is about to fold: changes from now on are told again."""
        self._taken.set()

    def drawn(self) -> None:
        """The UI's frame for the change told is painted (or there was nothing to draw)."""
        self._drawn.set()

    def stop(self) -> None:
        self._stop.set()
        with self._pipes:
            if self._wake is not None:
                os.write(self._wake[1], b"x")
