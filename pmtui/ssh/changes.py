"""One watcher of the store for all of a server's sessions.

Each session used to ask the store itself, 8 times a second, whether anyone had written (a
``PRAGMA data_version``, or a look at PostgreSQL's NOTIFYs): 50 sessions were 400 questions a second
and up to 120 ms before a change was noticed. The server asks once for all of them, every
``POLL_SECONDS`` on its own connection (its event loop: the server starts no thread, see
``session._wait``), and writes one byte into a pipe per session; the session's watcher
(``pmtui.tui.live``) wakes on it. A session that has not read its pipe yet is not written to again
(its pipe is full, or holds a byte already: one is news enough); each pipe is closed by its
session as it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

from pmtui.ssh.events import emit

POLL_SECONDS = 0.05


class ChangeSignals:
    """``open()`` a pipe for a session (its read end goes to the session), ``close()`` it when the
    session ends; ``start()`` the watching, ``stop()`` it."""

    def __init__(self, version: Callable[[], int], poll: float = POLL_SECONDS) -> None:
        self._version = version
        self.poll = poll
        self._pipes: set[int] = set()  # the write ends, each closed only by close() (its number may be reused)
        self._gone: set[int] = set()  # those whose session's end is closed: not written to again
        self._task: asyncio.Task[None] | None = None

    def open(self) -> tuple[int, int]:
        """(read end for the session, write end kept here)."""
        read, write = os.pipe()
        os.set_blocking(write, False)
        self._pipes.add(write)
        return read, write

    def close(self, write: int) -> None:
        if write in self._pipes:
            self._pipes.discard(write)
            self._gone.discard(write)
            os.close(write)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        for write in list(self._pipes):
            self.close(write)

    async def _watch(self) -> None:
        last = None
        failing = False
        while True:
            await asyncio.sleep(self.poll)
            try:
                version = self._version()
            except Exception as error:  # noqa: BLE001 - a store hiccup must not stop the watching
                if not failing:
                    emit("store_unreadable", logging.WARNING, error=str(error), using="sessions keep their screens")
                failing = True
                continue
            failing = False
            if version != last:
                if last is not None:
                    self.tell()
                last = version

    def tell(self) -> None:
        """A byte into every session's pipe (one still unread is news enough)."""
        for write in self._pipes - self._gone:
            try:
                os.write(write, b"c")
            except BlockingIOError:
                pass  # full: the session has news waiting
            except OSError:
                self._gone.add(write)  # the session's end is closed; its session closes ours
