"""Where the event log lives: SQLite by default (one file, zero set-up), PostgreSQL for teams,
memory for tests. Events are stored as msgspec JSON; projections read them back raw.

This module is the only one that knows table names and SQL dialects.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlparse
from uuid import UUID

from pmtui.errors import UserError
from projections.records import EventRecord, decode_record, decode_rows

if TYPE_CHECKING:
    from eventsourcing.application import Application

# eventsourcing is imported when the store's application is opened (the first command, or a store
# whose tables must be made): a query that reads only the read model's tables never imports it.
MAPPER_TOPIC = "pmtui.store.mapper:MsgspecMapper"


def __getattr__(name: str) -> Any:
    if name == "MsgspecMapper":  # its home is pmtui.store.mapper (it needs eventsourcing)
        from pmtui.store.mapper import MsgspecMapper

        return MsgspecMapper
    raise AttributeError(name)


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "pmtui" / "pmtui.db"


@dataclass(frozen=True)
class Location:
    """Where a store is: ``kind`` is sqlite, postgres or memory."""

    kind: str
    target: str
    env: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        if self.kind == "postgres":
            parsed = urlparse(self.target)
            schema = f"?schema={self.env['POSTGRES_SCHEMA']}" if self.env.get("POSTGRES_SCHEMA") else ""
            return f"postgresql://{parsed.username or ''}@{parsed.hostname}:{parsed.port or 5432}{parsed.path}{schema}"
        return self.target if self.kind == "sqlite" else "memory"


def _port(parsed: Any, target: str) -> int:
    try:
        return parsed.port or 5432
    except ValueError:  # urllib's "Port out of range 0-65535" / "Port could not be cast to integer value"
        raise UserError(f"the PostgreSQL address has no valid port (1-65535): {target}") from None


def locate(db: str | None = None) -> Location:
    """The store named by ``--db``, else ``PMTUI_DB``, else the default SQLite file."""
    target = db or os.environ.get("PMTUI_DB") or str(default_db_path())
    common = {
        "MAPPER_TOPIC": MAPPER_TOPIC, "IS_SNAPSHOTTING_ENABLED": "n",
        # Keep recently used aggregates; each get catches up with events written since (by anyone)
        # and hands out a deep copy. Without it every new item replayed the product's whole key
        # counter (one event per item ever made): add_item grew linearly with the backlog.
        "AGGREGATE_CACHE_MAXSIZE": "1000", "AGGREGATE_CACHE_FASTFORWARD": "y",
    }
    if target == ":memory:":
        # A throwaway store (tests, trials): a SQLite file of its own in a temporary folder, so
        # the read model's tables work exactly as in a real store; removed when the process ends.
        target = _scratch_file()
    if target.startswith(("postgresql://", "postgres://")):
        parsed = urlparse(target)
        if not parsed.path.strip("/"):
            raise UserError(f"the PostgreSQL address needs a database name: {target}")
        query = parse_qs(parsed.query)
        env = {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.strip("/"),
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(_port(parsed, target)),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "10",
            # The hash chain is written by our recorder's insert path, not by a database function.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            "APPLICATION_RECORDER_TOPIC": "pmtui.store.chain_postgres:ChainedPostgresRecorder",
        }
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = query["schema"][0]
        return Location("postgres", target, env)
    path = Path(target).expanduser()
    if path.is_dir():
        raise UserError(f"the store {path} is a directory; give a file path")
    path.parent.mkdir(parents=True, exist_ok=True)
    return Location("sqlite", str(path), {
        **common, "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "10", "APPLICATION_RECORDER_TOPIC": "pmtui.store.chain:ChainedSQLiteRecorder",
    })


_SCRATCH: list[str] = []


def _scratch_file() -> str:
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="pmtui-")
    if not _SCRATCH:
        atexit.register(lambda: [shutil.rmtree(f, ignore_errors=True) for f in _SCRATCH])
    _SCRATCH.append(folder)
    return os.path.join(folder, "pmtui.db")


_DASHED: dict[str, str] = {}


def dashed(hex_id: str) -> str:
    """The UUID text of a stored id (SQLite keeps 32 hex digits). Remembered: an aggregate's id
    comes back once per event, and a rebuild turns every one of them."""
    found = _DASHED.get(hex_id)
    if found is None:
        if len(_DASHED) > 500_000:  # bound the memory on huge logs; it only costs re-slicing
            _DASHED.clear()
        h = hex_id.replace("-", "")
        found = _DASHED[hex_id] = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return found


class EventLog:
    """Reads the stored events raw, as projection records, and watches for new ones.

    Built on the application's recorder; SQLite is read with its own connection (the fast path,
    ~3x quicker than decoding through the library's notification objects). ``app`` may be a
    function that opens the application: then it is opened when first needed (a write, or a
    reading that needs the recorder), so a query on SQLite never imports eventsourcing.
    """

    def __init__(self, app: Application | Callable[[], Application], location: Location) -> None:
        self._app: Application | None = None
        self._open: Callable[[], Application] | None = None
        if callable(app) and not hasattr(app, "recorder"):
            self._open = app
        else:
            self._app = app  # type: ignore[assignment]
        self.location = location
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []  # every thread's, closed by ``close``
        self._connections_lock = threading.Lock()
        self._pg_listener: Any = None
        self._opening = threading.Lock()  # the TUI's workers may be first to need it, at once

    @property
    def app(self) -> Application:
        if self._app is None:
            with self._opening:
                if self._app is None:
                    assert self._open is not None
                    self._app = self._open()
        return self._app

    @property
    def opened(self) -> bool:
        """Whether the application (and its recorder's connection) is open yet."""
        return self._app is not None

    @property
    def recorder(self) -> Any:
        return self.app.recorder

    def connection(self) -> sqlite3.Connection:
        """This thread's connection to a SQLite store (autocommit: each statement its own
        transaction unless BEGIN is said), for reads and the quick writes' transactions."""
        return self._sqlite()

    # SQLite connection per thread (the TUI reads from worker threads).
    def _sqlite(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.location.target, timeout=10, check_same_thread=False)
            conn.isolation_level = None
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def rows(self, after: int, upto: int | None = None, batch: int = 20_000) -> Iterator[tuple[int, str, int, str, bytes]]:
        """(seq, aggregate id, version, topic, state) for events after ``after``, in log order.

        SQLite rows keep the stored id (32 hex digits): ``records`` dashes it while decoding, so
        a rebuild makes no second tuple per event."""
        while True:
            if self.location.kind == "sqlite":
                sql = "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events WHERE rowid > ?"
                params: list[Any] = [after]
                if upto is not None:
                    sql += " AND rowid <= ?"
                    params.append(upto)
                rows = self._sqlite().execute(sql + " ORDER BY rowid LIMIT ?", [*params, batch]).fetchall()
            else:
                notes = self.recorder.select_notifications(after, batch, stop=upto, inclusive_of_start=False)
                rows = [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in notes]
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1][0]

    def chain_reader(self) -> Any:
        """What reads the hash chain and the events as stored (``read_chain``, ``max_link``,
        ``read_events``): on SQLite a reader over this log's own connection, which needs no
        recorder; elsewhere the recorder."""
        if self.location.kind == "sqlite":
            from pmtui.store.chain_links import SQLiteChainReader

            return SQLiteChainReader(self._sqlite())
        return self.recorder

    def records(self, after: int = 0, upto: int | None = None) -> Iterator[EventRecord]:
        return decode_rows(self.rows(after, upto), dashed if self.location.kind == "sqlite" else str)

    def records_by_seq(self, seqs: Sequence[int]) -> list[EventRecord]:
        """The records with these numbers, in log order. Looked up by number: the numbers of
        late events are spread over the whole log, so reading the range between them would read
        nearly all of it."""
        wanted = sorted(set(seqs))
        out: list[EventRecord] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            if self.location.kind == "sqlite":
                marks = ",".join("?" * len(part))
                rows = self._sqlite().execute(
                    "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "  # noqa: S608
                    f"WHERE rowid IN ({marks}) ORDER BY rowid", part).fetchall()
                out.extend(decode_record(r[0], dashed(r[1]), r[2], r[3], r[4]) for r in rows)
            elif self.location.kind == "postgres":
                from psycopg.sql import SQL, Identifier

                table = SQL("{0}.{1}").format(Identifier(self.recorder.datastore.schema),
                                              Identifier(self.recorder.events_table_name))
                with self.recorder.datastore.transaction(commit=False) as curs:
                    curs.execute(SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {0} "
                                     "WHERE notification_id = ANY(%s) ORDER BY notification_id").format(table), [part])
                    rows = curs.fetchall()
                out.extend(decode_record(r["notification_id"], str(r["originator_id"]), r["originator_version"],
                                         r["topic"], bytes(r["state"])) for r in rows)
            else:
                chosen = set(part)
                out.extend(r for r in self.records(part[0] - 1, part[-1]) if r.seq in chosen)
        return out

    def records_of(self, aggregate_id: str) -> list[EventRecord]:
        """One aggregate's events, oldest first (for per-item history)."""
        if self.location.kind == "sqlite":
            rows = self._sqlite().execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                "WHERE originator_id = ? ORDER BY originator_version", [UUID(aggregate_id).hex]
            ).fetchall()
            return [decode_record(r[0], dashed(r[1]), r[2], r[3], r[4]) for r in rows]
        stored = self.recorder.select_events(UUID(aggregate_id))
        if not stored:
            return []
        # Notification ids are not in StoredEvent: find them by scanning the aggregate's own rows.
        seq_of = {}
        if self.location.kind == "postgres":
            from psycopg.sql import SQL, Identifier

            # Qualified by schema: the connection's search_path does not name pmtui's schema.
            table = SQL("{0}.{1}").format(Identifier(self.recorder.datastore.schema),
                                          Identifier(self.recorder.events_table_name))
            with self.recorder.datastore.transaction(commit=False) as curs:
                curs.execute(SQL("SELECT originator_version, notification_id FROM {0} WHERE originator_id = %s")
                             .format(table), [UUID(aggregate_id)])
                seq_of = {row["originator_version"]: row["notification_id"] for row in curs.fetchall()}
        else:  # the in-memory store: find the numbers in its notification log
            wanted = UUID(aggregate_id)
            seq_of = {n.originator_version: n.id for n in self.recorder.select_notifications(None, 10**9)
                      if n.originator_id == wanted}
        return [decode_record(seq_of.get(s.originator_version, 0), aggregate_id, s.originator_version, s.topic, s.state)
                for s in stored]

    def max_seq(self) -> int:
        if self.location.kind == "sqlite":
            return self._sqlite().execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0] or 0
        return self.recorder.max_notification_id() or 0

    def data_version(self) -> int:
        """Changes whenever another connection commits; cheap to poll. SQLite: ``PRAGMA
        data_version``. PostgreSQL: a count of the NOTIFYs eventsourcing's recorder sends in every
        insert's transaction, read from a LISTEN connection of our own without a round trip (so
        a session on another host learns of a change as soon as it commits)."""
        if self.location.kind == "sqlite":
            return self._sqlite().execute("PRAGMA data_version").fetchone()[0]
        if self._pg_listener is None:
            from psycopg.sql import SQL, Identifier

            conn = _pg_connect(self.location)
            conn.execute(SQL("LISTEN {0}").format(Identifier(self.recorder.channel_name)))
            self._pg_listener = conn
            self._pg_version = 0
        for _ in self._pg_listener.notifies(timeout=0, stop_after=10_000):
            self._pg_version += 1
        return self._pg_version

    def close(self) -> None:
        if self._pg_listener is not None:
            self._pg_listener.close()
            self._pg_listener = None
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:  # every thread's (the read model's reads went through them too)
            conn.close()
        self._local = threading.local()


class SnapshotStore:
    """Persists a projection's folded state and position, so a start folds only what is new."""

    TABLE = "pmtui_projections"

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.kind = log.location.kind
        self._memory: dict[str, tuple[int, int, bytes]] = {}
        if self.kind == "sqlite":
            self.log._sqlite().execute(
                f"CREATE TABLE IF NOT EXISTS {self.TABLE} (name TEXT PRIMARY KEY, version INTEGER, position INTEGER, state BLOB)"
            )
        elif self.kind == "postgres":
            with self.log.recorder.datastore.transaction(commit=True) as curs:
                curs.execute("SELECT pg_advisory_xact_lock(%s)", [DDL_LOCK_KEY])  # see ddl_turn
                curs.execute(self._pg_table_sql())

    def _pg_table(self) -> str:
        schema = self.log.recorder.datastore.schema
        return f"{schema}.{self.TABLE}" if schema else self.TABLE

    def _pg_table_sql(self) -> str:
        return f"CREATE TABLE IF NOT EXISTS {self._pg_table()} (name text PRIMARY KEY, version integer, position bigint, state bytea)"

    def load(self, name: str, version: int) -> tuple[int, bytes] | None:
        if self.kind == "sqlite":
            # CAST: a row whose state was stored as (undecodable) TEXT still reads, as bytes that
            # then fail to decode; a cache is only ever a reason to fold again, never to crash.
            row = self.log._sqlite().execute(
                f"SELECT version, position, CAST(state AS BLOB) FROM {self.TABLE} WHERE name = ?", [name]  # noqa: S608
            ).fetchone()
        elif self.kind == "postgres":
            with self.log.recorder.datastore.transaction(commit=False) as curs:
                curs.execute(f"SELECT version, position, state FROM {self._pg_table()} WHERE name = %s", [name])  # noqa: S608
                found = curs.fetchone()
                row = (found["version"], found["position"], bytes(found["state"])) if found else None
        else:
            row = self._memory.get(name)
        if not row or row[0] != version:
            return None
        return row[1], bytes(row[2])

    def names(self, prefix: str, version: int) -> list[str]:
        """The names of the saved states of this version that start with ``prefix``."""
        if self.kind == "sqlite":
            rows = self.log._sqlite().execute(
                f"SELECT CAST(name AS BLOB) FROM {self.TABLE} WHERE version = ? AND substr(name, 1, ?) = ?",  # noqa: S608
                [version, len(prefix), prefix]).fetchall()
            return [bytes(row[0]).decode("utf-8", "replace") for row in rows]
        if self.kind == "postgres":
            with self.log.recorder.datastore.transaction(commit=False) as curs:
                curs.execute(f"SELECT name FROM {self._pg_table()} WHERE version = %s AND left(name, %s) = %s",  # noqa: S608
                             [version, len(prefix), prefix])
                return [row["name"] for row in curs.fetchall()]
        return [name for name, row in self._memory.items() if row[0] == version and name.startswith(prefix)]

    def delete(self, name: str) -> None:
        if self.kind == "sqlite":
            self.log._sqlite().execute(f"DELETE FROM {self.TABLE} WHERE name = ?", [name])  # noqa: S608
        elif self.kind == "postgres":
            with self.log.recorder.datastore.transaction(commit=True) as curs:
                curs.execute(f"DELETE FROM {self._pg_table()} WHERE name = %s", [name])  # noqa: S608
        else:
            self._memory.pop(name, None)

    def save(self, name: str, version: int, position: int, state: bytes) -> None:
        if self.kind == "sqlite":
            conn = self.log._sqlite()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    f"INSERT INTO {self.TABLE} VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "  # noqa: S608
                    "version = excluded.version, position = excluded.position, state = excluded.state "
                    f"WHERE excluded.position >= {self.TABLE}.position OR excluded.version != {self.TABLE}.version",
                    [name, version, position, state],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        elif self.kind == "postgres":
            with self.log.recorder.datastore.transaction(commit=True) as curs:
                curs.execute(
                    f"INSERT INTO {self._pg_table()} VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "  # noqa: S608
                    "version = excluded.version, position = excluded.position, state = excluded.state",
                    [name, version, position, state],
                )
        else:
            self._memory[name] = (version, position, state)


# One advisory lock key ("pmtui") under which pmtui creates its tables in a PostgreSQL database.
DDL_LOCK_KEY = 0x706D747569


@contextmanager
def ddl_turn(location: Location) -> Iterator[None]:
    """Opening a store runs CREATE ... IF NOT EXISTS; PostgreSQL fails concurrent DDL on the same
    catalog rows ("tuple concurrently updated"), so processes opening one database take turns."""
    if location.kind != "postgres":
        yield
        return
    env = location.env
    with _pg_connect(location) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [DDL_LOCK_KEY])
        try:
            if env.get("POSTGRES_SCHEMA"):  # ?schema=NAME: made on first use, like the tables in it
                from psycopg.sql import SQL, Identifier

                conn.execute(SQL("CREATE SCHEMA IF NOT EXISTS {0}").format(Identifier(env["POSTGRES_SCHEMA"])))
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [DDL_LOCK_KEY])


def _pg_connect(location: Location) -> Any:
    """A connection of its own (autocommit) to the store's PostgreSQL database, for locks."""
    import psycopg

    env = location.env
    return psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]), dbname=env["POSTGRES_DBNAME"],
                           user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
                           connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]), autocommit=True)


_MEMORY_LOCKS: dict[str, threading.Lock] = {}


@contextmanager
def exclusive(location: Location, key: str) -> Iterator[None]:
    """Hold the lock named ``key`` among every process using this store: for a check that reads
    the log and the write it allows, which must not interleave with another's (a hard WIP limit).
    SQLite: a byte of ``<file>.lock``, locked with fcntl; PostgreSQL: an advisory lock."""
    number = zlib.crc32(key.encode())
    if location.kind == "sqlite":
        with open(location.target + ".lock", "a+b") as handle:
            fcntl.lockf(handle, fcntl.LOCK_EX, 1, number)
            try:
                yield
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN, 1, number)
    elif location.kind == "postgres":
        with _pg_connect(location) as conn:
            conn.execute("SELECT pg_advisory_lock(%s, %s)", [DDL_LOCK_KEY & 0x7FFFFFFF, number - 2**31])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", [DDL_LOCK_KEY & 0x7FFFFFFF, number - 2**31])
    else:
        with _MEMORY_LOCKS.setdefault(key, threading.Lock()):
            yield


def tables_ready(location: Location, log: EventLog | None = None) -> bool:
    """Whether a SQLite store holds every table and index that opening its application would make
    (the events, the hash chain, the read model's tables): then it can be read without opening
    the application. False for a new file, a store made by an older pmtui, or one that is not a
    SQLite file (opening the application says what is wrong with it). ``log``: read through its
    connection (the one a command opens), else through a read-only one of its own."""
    if location.kind != "sqlite" or not os.path.isfile(location.target):
        return False
    import re

    from pmtui.store.chain_links import CHAIN_TABLE, PROVENANCE_TABLE
    from pmtui.store.readmodel import ddl

    wanted = {"stored_events", CHAIN_TABLE, PROVENANCE_TABLE}
    for statement in ddl(lambda name: name, postgres=False):
        found = re.search(r"(?:TABLE|INDEX|VIEW) IF NOT EXISTS (\w+)", statement)
        if found:
            wanted.add(found.group(1))
    try:
        if log is not None:
            return wanted <= {row[0] for row in log.connection().execute("SELECT name FROM sqlite_master")}
        conn = sqlite3.connect(f"file:{location.target}?mode=ro", uri=True, timeout=10)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return wanted <= names


def iter_chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
