"""Background work that gives way to keys: the palette's words index and the views' modules are
made in worker threads after the first frame, and a worker thread takes turns with the UI thread
on the GIL. A person's first keys came while they ran (``t`` 0.3 s after the first frame: its
prompt 30-140 ms instead of ~12 at 50k items). Such work runs in slices and, between two, waits
while keys come in (and for a short while after the last), so the UI thread has the interpreter
to itself for them. When the app closes, the work stops at its next slice and the app waits for
that (a worker left running would read a store its owner is closing)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

QUIET = 0.25  # seconds after a key during which background slices wait (a person's next key, its frame)


class Stopped(Exception):
    """Raised between two slices once the app is closing: the work ends there."""


class GiveWay:
    def __init__(self, quiet: float = QUIET) -> None:
        self.quiet = quiet
        self._last_key = 0.0
        self._stopped = threading.Event()
        self._running = 0
        self._idle = threading.Condition()

    def key_came(self) -> None:
        """On the UI thread, for each key."""
        self._last_key = time.monotonic()

    def between(self) -> None:
        """In a worker, between two slices of its work: wait while keys come in; in any case let
        the UI thread take the interpreter once. Raises ``Stopped`` once the app is closing."""
        time.sleep(0)
        while True:
            if self._stopped.is_set():
                raise Stopped
            wait = self._last_key + self.quiet - time.monotonic()
            if wait <= 0:
                return
            self._stopped.wait(min(wait, 0.05))

    def run(self, work: Callable[[Callable[[], None]], None]) -> None:
        """Run ``work(between)`` in this (worker) thread, counted so ``stop`` can wait for it."""
        with self._idle:
            if self._stopped.is_set():
                return
            self._running += 1
        try:
            work(self.between)
        except Stopped:
            pass
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """The app is closing: nothing waits for keys any more, and the work under way ends at
        its next slice; returns once it has (at most ``timeout`` seconds)."""
        self._stopped.set()
        with self._idle:
            self._idle.wait_for(lambda: self._running == 0, timeout)

