"""The hash chain and the read model's tables on PostgreSQL: eventsourcing's recorder, with both
written under its table lock, in the insert's transaction (see ``pmtui.store.chain``). Kept apart so a
SQLite store never imports psycopg."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from pmtui.store import readmodel
from pmtui.store.chain import CHAIN_TABLE, GENESIS, PROVENANCE_TABLE, Row, _check_continues, canonical_id, chain_links, records_of_rows
from pmtui.errors import UserError
from projections.records import EventRecord, decode_rows


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
        self.sql_create_statements.extend(
            SQL(statement) for statement in readmodel.ddl(lambda name: f'"{self.datastore.schema}".{name}'
                                                          if self.datastore.schema else name, postgres=True))
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
        self._project(curs, rows)
        return [returned[(canonical_id(s.originator_id), s.originator_version)] for s in stored_events]

    def _project(self, curs: Any, rows: Sequence[Row]) -> None:
        """See ``ChainedSQLiteRecorder._project``."""
        def stored(after: int, upto: int) -> Iterator[EventRecord]:
            curs.execute(SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {0} "
                             "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id")
                         .format(self.events_table), [after, upto])
            return decode_rows((r["notification_id"], str(r["originator_id"]), r["originator_version"], r["topic"],
                                bytes(r["state"])) for r in curs.fetchall())
        readmodel.project(readmodel.Sql(curs, postgres=True, schema=self.datastore.schema),
                          records_of_rows(sorted(rows)), stored)

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
            self._project(curs, rows)
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
