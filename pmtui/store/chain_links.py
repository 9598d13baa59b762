"""The hash chain's links as pure functions and the SQL that reads them from a SQLite store (see
``pmtui.store.chain`` for the chain and the recorders that write it). Apart from the recorders, so a
command that only checks the chain's end (every open does) or verifies it needs no eventsourcing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple
from uuid import UUID

CHAIN_TABLE = "pmtui_chain"
PROVENANCE_TABLE = "pmtui_provenance"
GENESIS = bytes(32)


class Row(NamedTuple):
    """One stored event as the chain sees it; ``originator_id`` is the UUID's 32 hex digits."""

    seq: int
    originator_id: str
    version: int
    topic: str
    state: bytes


def canonical_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(str(originator_id)).hex


def link_hash(prev: bytes, row: Row) -> bytes:
    """The link of one event. Fields are separated by a unit separator (never in a topic, id or
    number) and the state, the only free-form field, comes last, so no two events encode alike."""
    digest = hashlib.sha256(prev)
    digest.update(f"\x1f{row.seq}\x1f{row.originator_id}\x1f{row.version}\x1f{row.topic}\x1f".encode())
    digest.update(bytes(row.state))
    return digest.digest()


def chain_links(prev: bytes, rows: Sequence[Row]) -> list[tuple[int, str]]:
    """(seq, hex hash) for ``rows``, continuing from the link ``prev``."""
    links = []
    for row in rows:
        prev = link_hash(prev, row)
        links.append((row.seq, prev.hex()))
    return links


class SQLiteChainReader:
    """The chain and the events of a SQLite store, read as they are stored (unconverted: a
    tampered row may hold anything, and verify must still read it), through a plain connection
    (``EventLog.chain_reader``). The PostgreSQL recorder has the same three methods."""

    def __init__(self, connection: Any, events_table: str = "stored_events") -> None:
        self.connection = connection
        self.events_table = events_table

    def read_events(self, upto: int, batch: int = 5000, after: int = 0) -> Iterator[tuple[Any, ...]]:
        while True:
            chunk = [tuple(r) for r in self.connection.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table} "  # noqa: S608
                "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?", [after, upto, batch]).fetchall()]
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1][0]

    def max_link(self) -> int:
        return self.connection.execute(f"SELECT MAX(seq) FROM {CHAIN_TABLE}").fetchone()[0] or 0  # noqa: S608

    def read_chain(self, after: int = 0, upto: int | None = None, batch: int = 5000) -> Iterator[tuple[int, str]]:
        while True:
            chunk = [(r[0], r[1]) for r in self.connection.execute(
                f"SELECT seq, hash FROM {CHAIN_TABLE} WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",  # noqa: S608
                [after, upto if upto is not None else 2**62, batch]).fetchall()]
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1][0]
