"""The tamper-evident hash chain: one global chain over the event log, extended inside the very
transaction that inserts the events.

Each event ``#seq`` gets a link ``sha256(prev || seq || originator_id || version || topic || state)``
in the side table ``pmtui_chain(seq, hash)``. ``prev`` is the hash of the link before it (32 zero
bytes for the first). Editing, removing, reordering or renumbering an event in the database breaks
the link of that event (or the next one), which ``pmtui verify`` finds.

Why a single chain stays linear with concurrent writers: the recorders below extend the chain
*after* inserting the events, in the same transaction. The insert takes the store's write lock
first (SQLite: the first INSERT of a deferred BEGIN takes the one write lock, and since nothing was
read before, no stale snapshot can be extended; PostgreSQL: eventsourcing's recorder runs
``LOCK TABLE ... IN EXCLUSIVE MODE`` before inserting). So between reading the last link and
writing the new ones no other writer can commit events or links: transactions extend the chain one
after another, in the same order as the notification ids they were given. A writer that loses a
race rolls back its events and its links together.

The PostgreSQL recorder lives in ``pmtui.store.chain_postgres``, so SQLite users never import psycopg.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from pmtui.store import append, readmodel
from pmtui.store.append import ChainError, records_of_rows
from pmtui.store.append import check_continues as _check_continues  # noqa: F401 - the PostgreSQL recorder's
from pmtui.store.chain_links import CHAIN_TABLE, GENESIS, PROVENANCE_TABLE, Row, canonical_id, chain_links, link_hash
from pmtui.errors import UserError

__all__ = ["CHAIN_TABLE", "GENESIS", "PROVENANCE_TABLE", "ChainError", "ChainedSQLiteRecorder", "Row", "canonical_id",
           "chain_links", "link_hash", "records_of_rows"]


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, plus the chain written in the insert's transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {PROVENANCE_TABLE} (at TEXT, actor TEXT, source TEXT, "
            "first_seq INTEGER, last_seq INTEGER, head TEXT)",
            *readmodel.ddl(lambda name: name, postgres=False),
        ]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # Write first (the INSERT takes the write lock), then read the last link: see the module doc.
        seqs = super()._insert_events(c, stored_events, **kwargs) or []
        rows = [Row(seq, canonical_id(s.originator_id), s.originator_version, s.topic, s.state)
                for seq, s in zip(seqs, stored_events, strict=True)]
        self._extend_chain(c, rows)
        self._project(c, rows)
        return seqs

    def _project(self, c: Any, rows: Sequence[Row]) -> None:
        append.project(c, rows, self.events_table_name)

    def _extend_chain(self, c: Any, rows: Sequence[Row]) -> None:
        append.extend_chain(c, rows)

    def insert_numbered(self, rows: Sequence[Row], provenance: tuple[str, str, str] | None = None) -> str:
        """Insert events with the numbers they had in another store (restoring a backup) into an
        empty store, and chain them; returns the head hash. Refuses if the store holds events."""
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                f"INSERT INTO {self.events_table_name} (rowid, originator_id, originator_version, topic, state) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?)",
                [(r.seq, r.originator_id, r.version, r.topic, r.state) for r in rows],
            )
            c.execute(f"SELECT COUNT(*) FROM {self.events_table_name}")  # noqa: S608
            if c.fetchone()[0] != len(rows):
                raise UserError("the store is not empty (someone wrote to it meanwhile); nothing was imported")
            self._extend_chain(c, rows)
            self._project(c, rows)
            head = chain_links(GENESIS, rows)[-1][1] if rows else GENESIS.hex()
            if provenance and rows:
                c.execute(f"INSERT INTO {PROVENANCE_TABLE} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                          [*provenance, rows[0].seq, rows[-1].seq, head])
        return head

    # Reading (the chain and the events themselves: pmtui.store.chain_links.SQLiteChainReader, through
    # the log's own connection; ``EventLog.chain_reader``) -----------------------------------------
    def read_provenance(self) -> list[tuple[str, str, str, int, int, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT at, actor, source, first_seq, last_seq, head FROM {PROVENANCE_TABLE} ORDER BY first_seq")  # noqa: S608
            return [tuple(r) for r in c.fetchall()]  # type: ignore[misc]
