"""Session limits shared by every ``pmtui serve`` on one store.

Several servers on one store act as one (docs/team.md): a user's limit of 8 sessions must not
become 8 per server, and a team may cap its sessions in all. Each open session holds a *slot*: one
of the N numbered locks of its user (and one of the team's), taken without waiting. A slot is a
lock the operating system or the database releases by itself when its holder goes away, so a
crashed server never leaves slots taken:
- PostgreSQL: advisory locks on a connection of the server's own (servers on several hosts);
- SQLite: byte-range locks (fcntl) on ``<store>.sessions`` (servers on the store's host).

Both kinds of lock are re-entrant within their holder (a process, a database session), so each
server also remembers which slots it holds itself and never asks for those again.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import zlib
from typing import Any, BinaryIO

from pmtui.ssh.events import emit
from pmtui.store.storage import Location, _pg_connect

Slot = tuple[int, int]  # (the limit's key, the slot's number)


def _key(name: str) -> int:
    """A signed 32-bit number for a limit's name (PostgreSQL's advisory keys are int4)."""
    return zlib.crc32(name.encode()) - (1 << 31)


class SessionSlots:
    """``take(name, size)``: one free slot of the limit ``name`` (``size`` slots), or None when all
    are held (by this server or another); ``give_back(slot)`` frees it."""

    def __init__(self, location: Location) -> None:
        self.location = location
        self._held: set[Slot] = set()
        self._file: BinaryIO | None = None
        self._conn: Any = None
        # Limits are per store. A PostgreSQL database may hold several stores (schemas); a SQLite
        # store has its own file of locks.
        self._prefix = location.describe() + "|" if location.kind == "postgres" else ""

    def take(self, name: str, size: int) -> Slot | None:
        key = _key(self._prefix + name)
        for number in range(size):
            slot = (key, number)
            if slot in self._held:
                continue
            if self._try_lock(slot):
                self._held.add(slot)
                return slot
        return None

    def give_back(self, slot: Slot) -> None:
        if slot not in self._held:
            return
        self._held.discard(slot)
        try:
            self._unlock(slot)
        except Exception as error:  # noqa: BLE001 - a lost connection released it already
            emit("slot_release_failed", logging.WARNING, error=str(error))
            self._reset()

    def close(self) -> None:
        self._held.clear()
        self._reset()

    # The locks -----------------------------------------------------------------------------------
    def _try_lock(self, slot: Slot) -> bool:
        if self.location.kind == "postgres":
            if self._conn is None or self._conn.closed:
                self._conn = _pg_connect(self.location)
                self._held.clear()  # a new database session holds nothing
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s, %s)", list(slot)).fetchone()
            return bool(row[0])
        if self._file is None:
            self._file = open(self.location.target + ".sessions", "a+b")
        try:
            fcntl.lockf(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self._offset(slot))
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        return True

    def _unlock(self, slot: Slot) -> None:
        if self.location.kind == "postgres":
            if self._conn is not None and not self._conn.closed:
                self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", list(slot))
        elif self._file is not None:
            fcntl.lockf(self._file, fcntl.LOCK_UN, 1, self._offset(slot))

    @staticmethod
    def _offset(slot: Slot) -> int:
        key, number = slot
        return ((key + (1 << 31)) << 16) + number  # 65536 slots a limit; far more than any limit

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
        if self._file is not None:
            self._file.close()  # closing it releases every lock this process holds on it
            self._file = None
