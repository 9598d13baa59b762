"""Background work that gives way to keys: the palette's words index and the views' modules are
made in worker threads after the first frame, and a worker thread takes turns with the UI thread
on the GIL. A person's first keys came while they ran (``t`` 0.3 s after the first frame: its
prompt 30-140 ms instead of ~12 at 50k items). Such work runs in slices and, between two, waits
while keys come in (and for a short while after the last), so the UI thread has the interpreter
to itself for them."""

from __future__ import annotations

import threading
import time

QUIET = 0.25  # seconds after a key during which background slices wait (a person's next key, its frame)


class GiveWay:
    def __init__(self, quiet: float = QUIET) -> None:
        self.quiet = quiet
        self._last_key = 0.0
        self._stopped = threading.Event()

    def key_came(self) -> None:
        """On the UI thread, for each key."""
        self._last_key = time.monotonic()

    def between(self) -> None:
        """In a worker, between two slices of its work: wait while keys come in; in any case let
        the UI thread take the interpreter once."""
        time.sleep(0)
        while not self._stopped.is_set():
            wait = self._last_key + self.quiet - time.monotonic()
            if wait <= 0:
                return
            self._stopped.wait(min(wait, 0.05))

    def stop(self) -> None:
        """The app is closing: nothing waits any more."""
        self._stopped.set()
