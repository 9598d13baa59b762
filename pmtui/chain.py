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

The in-memory store (tests) keeps no chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from pmtui.errors import UserError

CHAIN_TABLE = "pmtui_chain"
PROVENANCE_TABLE = "pmtui_provenance"
GENESIS = bytes(32)


class ChainError(UserError):
    """The chain cannot be extended: the store was changed outside pmtui."""


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


def _check_continues(last_seq: int, rows: Sequence[Row]) -> None:
    if rows and rows[0].seq <= last_seq:
        raise ChainError(
            f"the hash chain already has a link #{last_seq} at or after the new event #{rows[0].seq}: "
            "the store was changed outside pmtui (run `pmtui verify`); nothing was written"
        )


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, plus the chain written in the insert's transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {PROVENANCE_TABLE} (at TEXT, actor TEXT, source TEXT, "
            "first_seq INTEGER, last_seq INTEGER, head TEXT)",
        ]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # Write first (the INSERT takes the write lock), then read the last link: see the module doc.
        seqs = super()._insert_events(c, stored_events, **kwargs) or []
        self._extend_chain(c, [Row(seq, canonical_id(s.originator_id), s.originator_version, s.topic, s.state)
                               for seq, s in zip(seqs, stored_events, strict=True)])
        return seqs

    def _extend_chain(self, c: Any, rows: Sequence[Row]) -> None:
        if not rows:
            return
        c.execute(f"SELECT seq, hash FROM {CHAIN_TABLE} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        last = c.fetchone()
        last_seq, prev = (last[0], bytes.fromhex(last[1])) if last else (0, GENESIS)
        _check_continues(last_seq, rows)
        c.executemany(f"INSERT INTO {CHAIN_TABLE} (seq, hash) VALUES (?, ?)", chain_links(prev, rows))  # noqa: S608

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
            head = chain_links(GENESIS, rows)[-1][1] if rows else GENESIS.hex()
            if provenance and rows:
                c.execute(f"INSERT INTO {PROVENANCE_TABLE} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                          [*provenance, rows[0].seq, rows[-1].seq, head])
        return head

    # Reading ---------------------------------------------------------------------------------
    def read_events(self, upto: int, batch: int = 5000, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """(seq, originator_id, version, topic, state) as stored, unconverted: a tampered row may
        hold anything, and verify must still read it."""
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "  # noqa: S608
                          "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?", [after, upto, batch])
                chunk = [tuple(r) for r in c.fetchall()]
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1][0]

    def max_link(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT MAX(seq) FROM {CHAIN_TABLE}")  # noqa: S608
            return c.fetchone()[0] or 0

    def read_chain(self, after: int = 0, upto: int | None = None, batch: int = 5000) -> Iterator[tuple[int, str]]:
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT seq, hash FROM {CHAIN_TABLE} WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",  # noqa: S608
                          [after, upto if upto is not None else 2**62, batch])
                chunk = [(r[0], r[1]) for r in c.fetchall()]
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1][0]

    def read_provenance(self) -> list[tuple[str, str, str, int, int, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT at, actor, source, first_seq, last_seq, head FROM {PROVENANCE_TABLE} ORDER BY first_seq")  # noqa: S608
            return [tuple(r) for r in c.fetchall()]  # type: ignore[misc]


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL recorder, plus the chain written under its table lock."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.chain_table = SQL("{0}.{1}").format(schema, Identifier(CHAIN_TABLE))
        self.provenance_table = SQL("{0}.{1}").format(schema, Identifier(PROVENANCE_TABLE))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0} (seq bigint PRIMARY KEY, hash text NOT NULL)").format(self.chain_table))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0} (at text, actor text, source text, first_seq bigint, last_seq bigint, "
            "head text)").format(self.provenance_table))
        # Return each row's identity with its number, so links pair with events exactly.
        self.insert_events_statement += SQL(", originator_id, originator_version")
        self.events_table = SQL("{0}.{1}").format(schema, Identifier(self.events_table_name))

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **_: Any) -> Sequence[int] | None:
        # Called after the INSERT, in the same transaction, with the table locked EXCLUSIVE.
        returned = {(canonical_id(r["originator_id"]), r["originator_version"]): r["notification_id"]
                    for r in curs.fetchall()}
        rows = sorted(
            Row(returned[(canonical_id(s.originator_id), s.originator_version)], canonical_id(s.originator_id),
                s.originator_version, s.topic, s.state)
            for s in stored_events
        )
        self._extend_chain(curs, rows)
        return [returned[(canonical_id(s.originator_id), s.originator_version)] for s in stored_events]

    def _extend_chain(self, curs: Any, rows: Sequence[Row]) -> None:
        if not rows:
            return
        curs.execute(SQL("SELECT seq, hash FROM {0} ORDER BY seq DESC LIMIT 1").format(self.chain_table))
        last = curs.fetchone()
        last_seq, prev = (last["seq"], bytes.fromhex(last["hash"])) if last else (0, GENESIS)
        _check_continues(last_seq, rows)
        curs.executemany(SQL("INSERT INTO {0} (seq, hash) VALUES (%s, %s)").format(self.chain_table),
                         chain_links(prev, rows))

    def insert_numbered(self, rows: Sequence[Row], provenance: tuple[str, str, str] | None = None) -> str:
        """See ``ChainedSQLiteRecorder.insert_numbered``."""
        head = chain_links(GENESIS, rows)[-1][1] if rows else GENESIS.hex()
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            curs.execute(SQL("SELECT COUNT(*) AS n FROM {0}").format(self.events_table))
            if curs.fetchone()["n"]:
                raise UserError("the store is not empty (someone wrote to it meanwhile); nothing was imported")
            curs.executemany(
                SQL("INSERT INTO {0} (notification_id, originator_id, originator_version, topic, state) "
                    "VALUES (%s, %s, %s, %s, %s)").format(self.events_table),
                [(r.seq, UUID(r.originator_id), r.version, r.topic, r.state) for r in rows],
            )
            if rows:
                # Later events must be numbered after the restored ones.
                curs.execute(SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
                             [f'"{self.datastore.schema}"."{self.events_table_name}"', rows[-1].seq])
            self._extend_chain(curs, rows)
            if provenance and rows:
                curs.execute(SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s, %s, %s)").format(self.provenance_table),
                             [*provenance, rows[0].seq, rows[-1].seq, head])
        return head

    def read_events(self, upto: int, batch: int = 5000, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """See ``ChainedSQLiteRecorder.read_events``."""
        while True:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {0} "
                                 "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s")
                             .format(self.events_table), [after, upto, batch])
                chunk = [(r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], r["state"])
                         for r in curs.fetchall()]
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1][0]

    def max_link(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT MAX(seq) AS max FROM {0}").format(self.chain_table))
            return curs.fetchone()["max"] or 0

    def read_chain(self, after: int = 0, upto: int | None = None, batch: int = 5000) -> Iterator[tuple[int, str]]:
        while True:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(SQL("SELECT seq, hash FROM {0} WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s")
                             .format(self.chain_table), [after, upto if upto is not None else 2**62, batch])
                chunk = [(r["seq"], r["hash"]) for r in curs.fetchall()]
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1][0]

    def read_provenance(self) -> list[tuple[str, str, str, int, int, str]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT at, actor, source, first_seq, last_seq, head FROM {0} ORDER BY first_seq")
                         .format(self.provenance_table))
            return [(r["at"], r["actor"], r["source"], r["first_seq"], r["last_seq"], r["head"]) for r in curs.fetchall()]
