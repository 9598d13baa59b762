"""One SQLite transaction that appends events: the events, their hash-chain links and the read
model's rows, committed together or not at all. The eventsourcing recorder
(``pmtui.store.chain.ChainedSQLiteRecorder``) extends the chain and the tables through the two
functions below inside its own insert transaction; the quick write path
(``pmtui.service.item_writes``) calls ``append``, which needs no eventsourcing.

Why the chain stays linear with concurrent writers is said in ``pmtui.store.chain``: the events are
inserted first (the first INSERT of a deferred BEGIN takes SQLite's one write lock), then the last
link is read. A version that someone else saved first fails the events table's primary key
(originator id, version): ``append`` then rolls everything back and raises ``sqlite3.IntegrityError``,
and the caller loads the aggregate again and decides again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from pmtui.errors import UserError
from pmtui.store import readmodel
from pmtui.store.chain_links import CHAIN_TABLE, GENESIS, Row, chain_links
from pmtui.store.storage import dashed
from projections.records import EventRecord, decode_rows

EVENTS_TABLE = "stored_events"


class ChainError(UserError):
    """The chain cannot be extended: the store was changed outside pmtui."""


def records_of_rows(rows: Sequence[Row]) -> list[EventRecord]:
    return list(decode_rows(((r.seq, r.originator_id, r.version, r.topic, bytes(r.state)) for r in rows), dashed))


def check_continues(last_seq: int, rows: Sequence[Row]) -> None:
    if rows and rows[0].seq <= last_seq:
        raise ChainError(
            f"the hash chain already has a link #{last_seq} at or after the new event #{rows[0].seq}: "
            "the store was changed outside pmtui (run `pmtui verify`); nothing was written"
        )


def extend_chain(c: Any, rows: Sequence[Row]) -> None:
    """Link ``rows`` (just inserted, in this transaction) onto the chain's last link."""
    if not rows:
        return
    c.execute(f"SELECT seq, hash FROM {CHAIN_TABLE} ORDER BY seq DESC LIMIT 1")  # noqa: S608
    last = c.fetchone()
    last_seq, prev = (last[0], bytes.fromhex(last[1])) if last else (0, GENESIS)
    check_continues(last_seq, rows)
    c.executemany(f"INSERT INTO {CHAIN_TABLE} (seq, hash) VALUES (?, ?)", chain_links(prev, rows))  # noqa: S608


def project(c: Any, rows: Sequence[Row], events_table: str = EVENTS_TABLE) -> None:
    """The read model's tables follow the events in the same transaction (pmtui/store/readmodel.py)."""
    def stored(after: int, upto: int) -> Iterator[EventRecord]:
        c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {events_table} "  # noqa: S608
                  "WHERE rowid > ? AND rowid <= ? ORDER BY rowid", [after, upto])
        return decode_rows(((r[0], r[1], r[2], r[3], r[4]) for r in c.fetchall()), dashed)
    readmodel.project(readmodel.Sql(c, postgres=False), records_of_rows(sorted(rows)), stored)


def append(conn: sqlite3.Connection, events: Sequence[tuple[str, int, str, bytes]]) -> list[int]:
    """Insert ``events`` (originator id as 32 hex digits, version, topic, state) with their links
    and read-model rows in one transaction; returns their numbers. ``conn`` is in autocommit mode
    (``isolation_level=None``). A version taken meanwhile raises ``sqlite3.IntegrityError`` with
    nothing written."""
    c = conn.cursor()
    c.execute("BEGIN")
    try:
        seqs = []
        for event in events:
            c.execute(f"INSERT INTO {EVENTS_TABLE} (originator_id, originator_version, topic, state) "  # noqa: S608
                      "VALUES (?, ?, ?, ?)", event)
            seqs.append(c.lastrowid)
        rows = [Row(seq, *event) for seq, event in zip(seqs, events, strict=True)]
        extend_chain(c, rows)
        project(c, rows)
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return seqs
