"""The read model in the store: versioned view rows in SQL tables beside the events.

Tables (the same in SQLite and PostgreSQL; see ``projections.versions`` for what a version is):

- ``rm_version``: one row per version of a view row, valid for event numbers ``[from_pos, to_pos)``
  and effective occurred times ``[from_t, to_t)``; ``grp`` scopes it (an item's or sprint's board,
  else its product); items also keep ``key``, ``status``, ``rank`` and ``ord`` (their number) as
  columns, so a board's WIP counts and rank order are index lookups. Open versions have
  ``to_pos = OPEN_POS``, and partial indexes cover them: "now" reads never touch history.
- ``rm_entry``: the append-only lists (check-ins, measurements, comments), by number and time.
- ``rm_log``: one line per event (number, effective and original occurred time, recorded time,
  aggregate, event name, actor): counting, filtering and "what happened by T" without decoding.
- ``rm_meta``: the position the tables are folded to, and the tables' schema version.

They are written by pmtui's recorders inside the transaction that inserts the events
(``project``), so a query right after a command sees it and no process folds the log to answer.
A store whose tables are behind its log (made by an older pmtui, or rebuilt) is caught up first.
"""

from __future__ import annotations

import gc
import operator
import sqlite3
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

import msgspec

from pmtui.errors import UserError
from pmtui.store import flow_rows, flow_sums, plan_rows
from projections.records import EventRecord, decode_rows
from projections.state import ItemView, ProductView, Workspace
from projections.versions import (
    ENTRY_OWNER, ENTRY_TYPES, NUMBERED, OPEN_POS, OPEN_T, VIEW_TYPES, Batch, Closed, Loader, LogFold, Version,
    VersionFold, decode_view, view_decoder,
    encode_view,
)

T = TypeVar("T")

SCHEMA_VERSION = 1
OPEN = str(OPEN_POS)  # inlined in SQL text: partial indexes match only a literal

_TABLES = ("rm_version", "rm_entry", "rm_log", "rm_meta")


def ddl(t: Callable[[str], str], postgres: bool) -> list[str]:
    """CREATE statements; ``t`` qualifies a table name (PostgreSQL's schema)."""
    text, real, big, blob = ("text", "double precision", "bigint", "bytea") if postgres else ("TEXT", "REAL", "INTEGER", "BLOB")
    c, h, v, e, lg, m = (t("rm_current"), t("rm_history"), t("rm_version"), t("rm_entry"), t("rm_log"),
                         t("rm_meta"))
    # SQLite keeps each table in its primary key's order (WITHOUT ROWID): a view's current rows
    # lie together, and the history in the order of when its versions ended, so "now" and
    # "as of #N" are sequential reads, not a random lookup per row.
    clustered = "" if postgres else " WITHOUT ROWID"
    columns = f"grp {text}, key {text}, status {text}, rank {text}, ord {big}, body {blob} NOT NULL"
    return [
        f"CREATE TABLE IF NOT EXISTS {c} (tbl {text} NOT NULL, id {text} NOT NULL, from_pos {big} NOT NULL, "
        f"from_t {real} NOT NULL, {columns}, PRIMARY KEY (tbl, id)){clustered}",
        f"CREATE INDEX IF NOT EXISTS rm_current_status ON {c} (tbl, grp, status)",
        f"CREATE INDEX IF NOT EXISTS rm_current_rank ON {c} (grp, rank, ord) WHERE tbl = 'items'",
        f"CREATE INDEX IF NOT EXISTS rm_current_key ON {c} (key) WHERE key IS NOT NULL",
        # A board's column in rank order, with each row's start (pmtui/store/board_pages.py): the
        # TUI's columns are counted and paged from this index alone.
        f"CREATE INDEX IF NOT EXISTS rm_current_column ON {c} (grp, status, rank, ord, from_pos, from_t) WHERE tbl = 'items'",
        f"CREATE TABLE IF NOT EXISTS {h} (tbl {text} NOT NULL, id {text} NOT NULL, from_pos {big} NOT NULL, "
        f"to_pos {big} NOT NULL, from_t {real} NOT NULL, to_t {real} NOT NULL, {columns}, "
        f"PRIMARY KEY (tbl, to_pos, from_pos, id)){clustered}",
        f"CREATE INDEX IF NOT EXISTS rm_history_time ON {h} (tbl, to_t, from_t)",
        f"CREATE INDEX IF NOT EXISTS rm_history_row ON {h} (tbl, id, from_pos)",
        f"CREATE INDEX IF NOT EXISTS rm_history_key ON {h} (key, from_pos) WHERE key IS NOT NULL",
        # Every version of every row, for queries over windows of history (metrics).
        f"CREATE {'OR REPLACE VIEW' if postgres else 'VIEW IF NOT EXISTS'} {v} AS SELECT tbl, id, from_pos, {OPEN} AS to_pos, from_t, {OPEN_T!r} AS to_t, "
        f"grp, key, status, rank, ord, body FROM {c} UNION ALL SELECT tbl, id, from_pos, to_pos, from_t, to_t, "
        f"grp, key, status, rank, ord, body FROM {h}",
        f"CREATE TABLE IF NOT EXISTS {e} (tbl {text} NOT NULL, seq {big} NOT NULL, t {real} NOT NULL, "
        f"owner {text}, body {blob} NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS rm_entry_seq ON {e} (tbl, seq)",
        f"CREATE INDEX IF NOT EXISTS rm_entry_t ON {e} (tbl, t)",
        f"CREATE INDEX IF NOT EXISTS rm_entry_owner ON {e} (tbl, owner, seq)",
        f"CREATE TABLE IF NOT EXISTS {lg} (seq {big} PRIMARY KEY, t {real} NOT NULL, occurred {real} NOT NULL, "
        f"recorded {real} NOT NULL, aggregate_id {text} NOT NULL, name {text} NOT NULL, actor {text} NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS rm_log_t ON {lg} (t, seq)",
        f"CREATE INDEX IF NOT EXISTS rm_log_aggregate ON {lg} (aggregate_id, seq)",
        f"CREATE INDEX IF NOT EXISTS rm_log_actor ON {lg} (actor, seq)",
        f"CREATE TABLE IF NOT EXISTS {m} (name {text} PRIMARY KEY, value {big} NOT NULL)",
        *flow_rows.flow_ddl(t, postgres),  # the items' column changes (pmtui/store/flow_rows.py)
        *plan_rows.plan_ddl(t, postgres),  # the items' sprint and points changes (pmtui/store/plan_rows.py)
        *flow_sums.sums_ddl(t, postgres),  # each item's flow so far (pmtui/store/flow_sums.py)
    ]


# Interval index ----------------------------------------------------------------------------------
# "As of X" asks for the past versions with from <= X < to. No B-tree on (from) or (to) alone
# bounds that (as of an early point every version ending after it is scanned), so each version of
# the history also carries its interval's *fork* on both axes (Kriegel et al., "Managing
# Intervals Efficiently in Object-Relational Databases", VLDB 2000: the relational interval tree):
# the number in [lo, hi] with the most trailing zero bits. The versions valid at X are exactly
# those whose fork lies on the path of X in that virtual binary tree (one node per level, ~40),
# with hi >= X for the nodes left of X and lo <= X for those right of it: a few dozen bounded
# index ranges that return only the answer. The forks are generated columns (the same SQL on
# SQLite and PostgreSQL), so the writers (``write_batch``, ``refold``) need not know of them.
FORK_BITS = 40  # positions and whole seconds below 2**41


def _fork_sql(lo: str, hi: str) -> str:
    """The fork of [lo, hi]: hi with its j lowest bits cleared, for the highest j at which that
    is still >= lo (it is for every lower j too), found by a binary search over j (six tests a
    row, not 41); lo when none is (an empty interval, never valid)."""
    def cleared(j: int) -> str:
        return f"(({hi}) >> {j} << {j})"

    def search(low: int, high: int) -> str:  # the answer's j lies in [low, high], or none is
        if low == high:
            return f"CASE WHEN {cleared(low)} >= ({lo}) THEN {cleared(low)} ELSE ({lo}) END"
        middle = (low + high + 1) // 2
        return f"CASE WHEN {cleared(middle)} >= ({lo}) THEN {search(middle, high)} ELSE {search(low, middle - 1)} END"

    return search(0, FORK_BITS)


def _tick_sql(column: str, postgres: bool) -> str:
    """A time as whole seconds for the fork (truncated, as ``_tick``), clamped to the tree."""
    top = 2 ** (FORK_BITS + 1) - 1
    if postgres:
        return f"LEAST(GREATEST(trunc({column}), 0), {top})::bigint"
    return f"MIN(MAX(CAST({column} AS INTEGER), 0), {top})"


def _tick(t: float) -> int:
    return min(max(int(max(min(t, 1e300), -1e300)), 0), 2 ** (FORK_BITS + 1) - 1)


def interval_ddl(t: Callable[[str], str], postgres: bool) -> tuple[list[str], list[str]]:
    """(columns to add to rm_history, their indexes)."""
    h = t("rm_history")
    big = "bigint" if postgres else "INTEGER"
    kind = "STORED" if postgres else "VIRTUAL"  # SQLite adds only virtual columns to a table
    exists = "IF NOT EXISTS " if postgres else ""
    fork_p = _fork_sql("from_pos", "to_pos - 1")
    fork_t = _fork_sql(_tick_sql("from_t", postgres), _tick_sql("to_t", postgres))
    return ([f"ALTER TABLE {h} ADD COLUMN {exists}fork_p {big} GENERATED ALWAYS AS ({fork_p}) {kind}",
             f"ALTER TABLE {h} ADD COLUMN {exists}fork_t {big} GENERATED ALWAYS AS ({fork_t}) {kind}"],
            [f"CREATE INDEX IF NOT EXISTS rm_history_fork_p_to ON {h} (tbl, fork_p, to_pos)",
             f"CREATE INDEX IF NOT EXISTS rm_history_fork_p_from ON {h} (tbl, fork_p, from_pos)",
             f"CREATE INDEX IF NOT EXISTS rm_history_fork_t_to ON {h} (tbl, fork_t, to_t)",
             f"CREATE INDEX IF NOT EXISTS rm_history_fork_t_from ON {h} (tbl, fork_t, from_t)",
             # A board's cards as of a point, column by column (pmtui/store/board_pages.py), from
             # the index alone: plain columns, so SQLite reads no row (an index that names a
             # virtual column, as the forks are, is never covering), and a column's versions
             # valid at X are a range of it: those ending after X (late points) or begun by X
             # (early points), whichever side is shorter.
             *(f"CREATE INDEX IF NOT EXISTS rm_history_board_{axis}_{side} ON {h} "
               f"(grp, status, {bound}, {other}, rank, ord) WHERE tbl = 'items'"
               for axis, (start, end) in (("p", ("from_pos", "to_pos")), ("t", ("from_t", "to_t")))
               for side, bound, other in (("to", end, start), ("from", start, end)))])


LAST_INTERVAL_INDEX = "rm_history_board_t_from"  # made last: a store that has it has them all


def fork_path(x: int) -> tuple[list[int], list[int]]:
    """The forks on the path of ``x``: (those left of or at x: check hi >= x; those right of x:
    check lo <= x). 0 is left of everything (times before 1970 clamp to it)."""
    left, right = [0], []
    for j in range(FORK_BITS + 1):
        block = 1 << (j + 1)
        base = x - x % block
        if base == x:
            continue  # x is a multiple of 2**(j+1): no node of level j holds it
        node = base + (1 << j)
        (left if node <= x else right).append(node)
    return left, right


def _say_once() -> None:
    import sys

    if sys.stderr.isatty():
        print("pmtui: indexing the read model's history for as-of questions (once for this store)…",
              file=sys.stderr, flush=True)


def _has_intervals(sql: Sql) -> bool:
    if sql.postgres:
        schema = sql.names["h"].split(".")[0].strip('"') if "." in sql.names["h"] else None
        row = sql.one("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'rm_history' "
                      "AND column_name = 'fork_t' AND table_schema = COALESCE(?, current_schema())", [schema])
    else:
        row = sql.one("SELECT COUNT(*) FROM pragma_table_xinfo('rm_history') WHERE name = 'fork_t'")
    return bool(row and row[0])


def ensure_intervals(log: Any) -> bool:
    """Add the fork columns and their indexes to a store made without them (once, under the
    write lock). False if the store cannot be changed (read-only): queries then do without."""
    if log.location.kind == "postgres":
        datastore = log.recorder.datastore
        t = (lambda name: f'"{datastore.schema}".{name}') if datastore.schema else (lambda name: name)
        columns, indexes = interval_ddl(t, True)
        try:
            with datastore.transaction(commit=True) as curs:
                curs.execute("SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_name = 'rm_history' "
                             "AND column_name = 'fork_t' AND table_schema = COALESCE(%s, current_schema())",
                             [datastore.schema or None])
                missing_columns = curs.fetchone()["n"] == 0
                curs.execute("SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = %s "
                             "AND schemaname = COALESCE(%s, current_schema())",
                             [LAST_INTERVAL_INDEX, datastore.schema or None])
                if missing_columns or curs.fetchone()["n"] == 0:
                    curs.execute(f"SELECT EXISTS (SELECT 1 FROM {t('rm_history')}) AS n")
                    if curs.fetchone()["n"]:
                        _say_once()
                    for statement in [*(columns if missing_columns else []), *indexes]:
                        curs.execute(statement)
        except Exception:  # noqa: BLE001 - no right to alter: answer without the index
            return False
        return True
    try:
        # The log's own connection (a command opens the store once); the DDL is built only if needed.
        conn = log.connection()
    except sqlite3.Error:
        return False
    try:
        has_columns = lambda: conn.execute(  # noqa: E731
            "SELECT COUNT(*) FROM pragma_table_xinfo('rm_history') WHERE name = 'fork_t'").fetchone()[0] > 0
        has = lambda: has_columns() and conn.execute(  # noqa: E731
            "SELECT COUNT(*) FROM sqlite_master WHERE name = ?", [LAST_INTERVAL_INDEX]).fetchone()[0] > 0
        if has():
            return True
        columns, indexes = interval_ddl(lambda name: name, False)
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not has():
                if conn.execute("SELECT EXISTS (SELECT 1 FROM rm_history)").fetchone()[0]:
                    _say_once()  # a new, empty store has nothing to index: no word about it
                for statement in [*(columns if not has_columns() else []), *indexes]:
                    conn.execute(statement)
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.execute("ROLLBACK")
            return False
        return True
    except sqlite3.Error:
        return False


class Sql:
    """One cursor, spoken to in one dialect: ``?`` placeholders and ``{c}`` ``{h}`` ``{v}`` ``{e}``
    ``{l}`` ``{m}`` table names in the text; rows come back as tuples."""

    def __init__(self, cursor: Any, postgres: bool, schema: str | None = None) -> None:
        self.cursor = cursor
        self.postgres = postgres
        prefix = f'"{schema}".' if postgres and schema else ""
        self.names = {"c": prefix + "rm_current", "h": prefix + "rm_history", "v": prefix + "rm_version",
                      "e": prefix + "rm_entry", "l": prefix + "rm_log", "m": prefix + "rm_meta",
                      "f": prefix + "rm_flow", "fh": prefix + "rm_flow_hour", "p": prefix + "rm_plan",
                      "s": prefix + "rm_flow_sum"}
        # The history through one index of the forks (``Point.versions``): SQLite's planner, with
        # no statistics, would scan the primary key and compute every row's fork instead.
        for axis in ("p", "t"):
            for side in ("to", "from"):
                for family, name in (("", "fork"), ("board_", "board")):
                    hint = "" if postgres else f" INDEXED BY rm_history_{name}_{axis}_{side}"
                    self.names[f"h_{family}{axis}_{side}"] = self.names["h"] + hint
        self.names["c_column"] = self.names["c"] + ("" if postgres else " INDEXED BY rm_current_column")
        self.names["h_row"] = self.names["h"] + ("" if postgres else " INDEXED BY rm_history_row")
        self.names["h_key"] = self.names["h"] + ("" if postgres else " INDEXED BY rm_history_key")
        self._texts: dict[str, str] = {}

    def _text(self, sql: str) -> str:
        text = self._texts.get(sql)
        if text is None:
            text = sql.format(**self.names)
            if self.postgres:
                text = text.replace("?", "%s")
            self._texts[sql] = text
        return text

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.postgres:
            # A cursor of its own: inside eventsourcing's insert the connection is in pipeline
            # mode, where a shared cursor may still hold another statement's (empty) result.
            with self.cursor.connection.cursor() as cursor:
                cursor.execute(self._text(sql), list(params))
                rows = cursor.fetchall()
            return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]
        try:
            self.cursor.execute(self._text(sql), list(params))
            return [tuple(r) for r in self.cursor.fetchall()]
        except sqlite3.OperationalError as error:
            if "decode" not in str(error):
                raise
            # sqlite3's own UTF-8 decoding (a Python text factory would cost a call per value).
            raise _not_utf8() from None

    def chunks(self, sql: str, params: Sequence[Any] = (), size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query a chunk at a time (SQLite; PostgreSQL's cursor holds them all
        anyway): a scan of a million versions never holds a million rows."""
        if self.postgres:
            yield self.all(sql, params)
            return
        cursor = self.cursor.connection.cursor()  # its own: the caller may query in between
        try:
            cursor.execute(self._text(sql), list(params))
            while chunk := cursor.fetchmany(size):
                yield chunk
        except sqlite3.OperationalError as error:
            if "decode" not in str(error):
                raise
            raise _not_utf8() from None

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._text(sql), list(params))

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self._text(sql), rows)  # tuples bind as they are (both drivers)


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # decodes under way (any thread), and whether the collector ran before them


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while many views are decoded: each holds lists (labels,
    links), and a collection every few hundred new containers, each slower as the heap grows,
    made decoding a 50k-item board one and a half to three times slower. Views hold no cycles.
    Counted under a lock: the TUI decodes in worker threads, and the last to finish restores it."""
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


class DamagedReadModelError(UserError):
    """A row of the read model's tables cannot be read: changed outside pmtui."""


def _not_utf8() -> DamagedReadModelError:
    return DamagedReadModelError(
        "a row of the read model holds text that is not UTF-8: `pmtui verify` checks the store, and "
        "`pmtui rebuild` folds the read model again from the log")


def _decode(table: str, body: bytes) -> Any:
    try:
        return decode_view(table, body)
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError):  # TypeError: a body stored as TEXT
        raise _damaged(table) from None


def _damaged(table: str) -> DamagedReadModelError:
    return DamagedReadModelError(
        f"a row of the read model ({table}) is damaged: `pmtui verify` checks the store, and "
        "`pmtui rebuild` folds the read model again from the log")


def _decoded(table: str, rows: list[tuple[Any, ...]]) -> list[Any]:
    """The views in the first column of ``rows``, decoded in one loop (no call, lookup or copy
    per row: msgspec reads SQLite's bytes and PostgreSQL's memoryviews as they come; 50k items
    in ~70 % of the time ``_decode`` row by row took)."""
    decode = view_decoder(table).decode
    try:
        with paused_gc():
            return [decode(r[0]) for r in rows]
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError):
        raise _damaged(table) from None


# Writing -----------------------------------------------------------------------------------------
def _columns(table: str, view: Any) -> tuple[str | None, str | None, str | None, str | None, int | None]:
    """(grp, key, status, rank, ord) of a view row. An item's ``status`` column is the column whose
    WIP it counts in: none for archived items and epics, which are not cards."""
    if table == "items":
        counted = None if view.archived or view.kind == "epic" else view.status
        return view.board_id, view.key, counted, view.rank, view.number
    if table == "notes":  # the inbox is a page of an index, not a scan of every note
        return view.product_id, None, view.status, None, view.number
    if isinstance(view, dict):
        return None, None, None, None, None
    grp = getattr(view, "board_id", None) or getattr(view, "product_id", None)
    return grp, None, None, None, getattr(view, "number", None) if table in NUMBERED else None


class SqlLoader(Loader):
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def view(self, table: str, row_id: str) -> tuple[Any, float] | None:
        row = self.sql.one("SELECT body, from_t FROM {c} WHERE tbl = ? AND id = ?", [table, row_id])
        return (_decode(table, bytes(row[0])), row[1]) if row else None

    def last_time(self, aggregate_id: str) -> float | None:
        row = self.sql.one("SELECT t FROM {l} WHERE aggregate_id = ? ORDER BY seq DESC LIMIT 1", [aggregate_id])
        return row[0] if row else None

    def last_number(self, table: str) -> int:
        row = self.sql.one("SELECT MAX(ord) FROM {c} WHERE tbl = ?", [table])
        return (row[0] or 0) if row else 0


_COLUMNS = "grp, key, status, rank, ord, body"
_INSERT_CURRENT = f"INSERT INTO {{c}} (tbl, id, from_pos, from_t, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_REPLACE_CURRENT = f"UPDATE {{c}} SET from_pos = ?, from_t = ?, grp = ?, key = ?, status = ?, rank = ?, ord = ?, body = ? " \
                   "WHERE tbl = ? AND id = ?"
_INSERT_HISTORY = (f"INSERT INTO {{h}} (tbl, id, from_pos, to_pos, from_t, to_t, {_COLUMNS}) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
# The current version of a row goes into the history, closed by the event that replaces it.
_RETIRE_CURRENT = (f"INSERT INTO {{h}} (tbl, id, from_pos, to_pos, from_t, to_t, {_COLUMNS}) "
                   f"SELECT tbl, id, from_pos, ?, from_t, ?, {_COLUMNS} FROM {{c}} WHERE tbl = ? AND id = ?")


def _current_row(v: Version) -> tuple[Any, ...]:
    return (v.table, v.row_id, v.seq, v.t, *_columns(v.table, v.view), encode_view(v.table, v.view))


def _history_row(v: Version, to_pos: int, to_t: float) -> tuple[Any, ...]:
    return (v.table, v.row_id, v.seq, to_pos, v.t, to_t, *_columns(v.table, v.view), encode_view(v.table, v.view))


def _write_entries_and_lines(sql: Sql, batch: Batch) -> None:
    sql.many(_INSERT_LINE,
             [(x.seq, x.t, x.occurred, x.recorded, x.aggregate_id, x.name, x.actor) for x in batch.lines])
    sql.many(_INSERT_ENTRY,
             [(x.table, x.seq, x.t, x.owner, encode_view(x.table, x.entry)) for x in batch.entries])


def write_batch(sql: Sql, batch: Batch, existing: set[tuple[str, str]]) -> None:
    """Write a fold's batch on top of tables holding everything before it; ``existing`` names the
    rows that had a current version before the batch."""
    _write_entries_and_lines(sql, batch)
    chains: dict[tuple[str, str], list[Version]] = {}
    for version in batch.versions:
        chains.setdefault((version.table, version.row_id), []).append(version)
    retire, replace, insert, history = [], [], [], []
    for key, chain in chains.items():
        for version, after in zip(chain, chain[1:]):
            history.append(_history_row(version, after.seq, after.t))
        row = _current_row(chain[-1])
        if key in existing:
            retire.append((chain[0].seq, chain[0].t, *key))
            replace.append((*row[2:], *row[:2]))
        else:
            insert.append(row)
    sql.many(_RETIRE_CURRENT, retire)
    sql.many(_INSERT_HISTORY, history)
    sql.many(_REPLACE_CURRENT, replace)
    sql.many(_INSERT_CURRENT, insert)
    changes = flow_rows.live_rows(sql, batch.versions)
    flow_rows.write(sql, changes)
    flow_sums.update(sql, changes, batch.versions)
    sql.many(plan_rows.INSERT, plan_rows.live_rows(sql, batch.versions))


def position(sql: Sql) -> int | None:
    """The event number the tables are folded to; None if they were never filled."""
    row = sql.one("SELECT value FROM {m} WHERE name = 'position'")
    return row[0] if row else None


def _set_position(sql: Sql, seq: int) -> None:
    if sql.one("SELECT value FROM {m} WHERE name = 'position'") is None:
        sql.run("INSERT INTO {m} (name, value) VALUES ('position', ?)", [seq])
        sql.run("INSERT INTO {m} (name, value) VALUES ('schema', ?)", [SCHEMA_VERSION])
        flow_rows.mark_filled(sql)  # tables filled from empty: every change went through write_batch
        plan_rows.mark_filled(sql)
    else:
        sql.run("UPDATE {m} SET value = ? WHERE name = 'position'", [seq])


StoredRows = Callable[[int, int], Iterable[EventRecord]]  # (after, upto) -> records, read in the transaction


def project(sql: Sql, records: Sequence[EventRecord], stored: StoredRows) -> None:
    """Fold newly inserted events into the tables, inside their insert's transaction. Events the
    tables have not seen before them (a store made before the tables, or written by an older
    pmtui) are folded first, read through ``stored``."""
    if not records:
        return
    at = fold_gap(sql, stored, records[0].seq - 1)
    fresh = [r for r in records if r.seq > at]
    fold = _prefetched_fold(sql, fresh)
    write_batch(sql, fold.apply(fresh), fold.existing)
    _set_position(sql, max(at, records[-1].seq))


def _prefetched_fold(sql: Sql, records: Sequence[EventRecord]) -> VersionFold:
    """A fold whose working set holds, read in a few bulk queries, every row and aggregate time
    the records need (a bulk save of thousands of events would otherwise ask for each one)."""
    fold = VersionFold(SqlLoader(sql))
    if len(records) < 8:
        return fold
    asked = set(fold.rows_named(records))
    ids = sorted({row_id for _, row_id in asked})
    rows: dict[tuple[str, str], tuple[Any, float]] = {}
    for part in _parts(ids, 500):
        marks = ",".join("?" * len(part))
        for tbl, row_id, body, from_t in sql.all(f"SELECT tbl, id, body, from_t FROM {{c}} WHERE id IN ({marks})", part):
            if (tbl, row_id) in asked:
                rows[(tbl, row_id)] = (_decode(tbl, bytes(body)), from_t)
    aggregates = sorted({r.aggregate_id for r in records})
    times: dict[str, float] = {}
    for part in _parts(aggregates, 500):
        marks = ",".join("?" * len(part))
        for aggregate_id, t in sql.all(
                "SELECT aggregate_id, t FROM {l} WHERE seq IN "
                f"(SELECT MAX(seq) FROM {{l}} WHERE aggregate_id IN ({marks}) GROUP BY aggregate_id)", part):
            times[aggregate_id] = t
    fold.preload(rows, times, asked)
    fold.no_history.update(a for a in aggregates if a not in times)
    return fold


def _parts(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def fold_gap(sql: Sql, stored: StoredRows, upto: int, progress: Callable[[int, int], None] | None = None) -> int:
    """Fold the stored events after the tables' position up to ``upto``; returns the new position."""
    at = position(sql) or 0
    if at >= upto:
        return at
    if at == 0:  # tables never folded (or emptied): the column changes start again with them
        flow_rows.clear(sql)
        plan_rows.clear(sql)
        flow_sums.clear(sql)
    start, done = at, 0
    for chunk in _chunks(stored(at, upto), 5000):
        fold = _prefetched_fold(sql, chunk)
        write_batch(sql, fold.apply(chunk), fold.existing)
        at = chunk[-1].seq
        _set_position(sql, at)
        done += len(chunk)
        if progress is not None:
            progress(done, upto - start)
    return at


def _chunks(records: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# A fold of at least this many events runs in a second process (``foldworker``) while this one
# writes: below it, starting the worker (~0.2 s) costs more than the overlap saves.
WORKER_FROM = 50_000


class Stored:
    """The stored rows of a log, decoded as they are iterated; a fold worker is sent the ``raw``
    rows (seq, originator id, version, topic, state) and decodes them itself. ``dashed``: the
    store keeps aggregate ids as hex (SQLite). ``source``: (SQLite file, after, upto) when the
    rows are committed there, so a worker can read them itself (see ``foldworker``)."""

    def __init__(self, raw: Iterable[tuple[int, str, int, str, bytes]], dashed: bool,
                 source: tuple[str, int, int] | None = None) -> None:
        self.raw, self.dashed, self.source = raw, dashed, source

    def __iter__(self) -> Iterator[EventRecord]:
        return decode_rows(self.raw, _dash if self.dashed else str)


# The tables a bulk fold empties and fills, by their short names (``Sql.names``); a new table of
# the read model that a fold fills is added here and to ``BULK_INSERTS``.
REFOLDED = ("c", "h", "e", "l", "m", "f", "fh", "p", "s")  # s: emptied, filled at its first use


def refold(sql: Sql, records: Iterable[EventRecord], progress: Callable[[int], None] | None = None,
           batch: int = 10_000, events: int | None = None) -> int:
    """Empty the tables and fold every record into them (``pmtui rebuild``, a first open, a
    generated demo). ``LogFold`` hands out each version as it closes, so versions are inserted
    once each (no updates), in batches of ``batch`` events. ``events``: how many there are, if
    known; from ``WORKER_FROM`` on, stored rows are folded in a second process. Returns the
    events folded."""
    # The fold makes no reference cycles (views are gc=False structs, rows are tuples), but the
    # cycle collector would walk the growing working set again and again: a quarter of the CPU.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # A frozen build has no interpreter to start the worker with: it folds in process.
        if isinstance(records, Stored) and (events or 0) >= WORKER_FROM and sys.executable \
                and not getattr(sys, "frozen", False):
            from pmtui.store import foldworker  # only a big fold starts a process

            # Half batches: two of them are under way at once (in the pipes and in each process).
            # Started before the tables are emptied: a worker that reads the log itself folds
            # the first batches while this process deletes the old rows.
            with foldworker.FoldWorker(records.dashed, batch // 2, records.source) as worker:
                indexes = _emptied(sql)
                return _write_folded(sql, worker.batches(records.raw), worker.open_rows, progress, indexes)
        indexes = _emptied(sql)
        fold = LogFold()
        folded = ((len(chunk), chunk[-1].seq, *fold_chunk(fold, chunk)) for chunk in _chunks(records, batch))
        return _write_folded(sql, folded, lambda: open_rows(fold), progress, indexes)
    finally:
        if collecting:
            gc.enable()


def _emptied(sql: Sql) -> list[str]:
    """Empty the refolded tables and drop their secondary indexes (but the ``_KEPT_UP`` ones);
    returns the statements that make them again, once the tables are full."""
    # Secondary indexes are built once at the end: far cheaper than keeping them up row by row.
    # Dropped before the rows are deleted, so the delete frees each index's pages once, as the
    # drop does, instead of first removing every key.
    indexes = [s for s in ddl(lambda name: sql.names[_SHORT[name]], sql.postgres) if " INDEX " in s]
    columns: list[str] = []
    if _has_intervals(sql):
        columns, fork_indexes = interval_ddl(lambda name: sql.names[_SHORT[name]], sql.postgres)
        indexes += fork_indexes
    prefix = sql.names["m"].rsplit(".", 1)[0] + "." if "." in sql.names["m"] else ""
    for statement in indexes:
        name = statement.split(" IF NOT EXISTS ", 1)[1].split(" ", 1)[0]
        if name not in _KEPT_UP:
            sql.run(f"DROP INDEX IF EXISTS {prefix}{name}")
    for name in _RETIRED:
        sql.run(f"DROP INDEX IF EXISTS {prefix}{name}")
    for name in REFOLDED:
        sql.run(f"DELETE FROM {{{name}}}")
    if columns and not sql.postgres:
        # SQLite computes a table's generated columns on every insert, virtual ones too: the
        # forks' nested CASEs were near half of the history's insert time. The (empty) table goes
        # without them while it is filled, and gets them back, the same text, before their
        # indexes. (PostgreSQL keeps a dropped column's slot for good, so it keeps them.)
        for statement in columns:
            sql.run(f"ALTER TABLE {{h}} DROP COLUMN {statement.split(' ADD COLUMN ', 1)[1].split(' ', 1)[0]}")
        indexes = [*columns, *indexes]
    return indexes


# Indexes of older stores that no query reads any more: a rebuild drops them instead of filling
# them. rm_history_flow covered the walk of every item version for the flow charts, which read the
# stored column changes (rm_flow) instead; the walk left for a store without them (read-only, never
# upgraded) and rm_flow's one-time fill go through rm_history_row. It was the widest of the
# history's indexes: ~1.5 s CPU of a 1M rebuild's index builds, ~100 MB of the file.
_RETIRED = ("rm_history_flow",)

# Indexes whose keys the fold makes in (nearly) ascending order: kept up while the tables fill,
# each row lands at the end of the index, which costs about what building it afterwards does
# (rm_history_time, 300k rows: +0.43 s CPU kept up, 0.37 s built after; a random-ordered one like
# rm_history_row costs three times more live). With a fold worker, this process would otherwise
# wait for the worker then; the indexes left to build after the fold are the random-ordered ones.
_KEPT_UP = frozenset({"rm_history_time", "rm_log_t", "rm_log_actor", "rm_entry_seq", "rm_entry_t"})


def fold_chunk(fold: LogFold, chunk: Sequence[EventRecord]) -> tuple[list[Any], ...]:
    """Fold one batch of a bulk fold: its rows for each table of ``BULK_INSERTS``, in that order,
    ready to insert (log lines, entry rows, history rows)."""
    encode = _encode
    lines, entries, closed = fold.apply(chunk)
    return (lines, [(table, seq, t, owner, encode(entry)) for table, seq, t, owner, entry in entries],
            [_closed_row(version) for version in closed], plan_rows.fold_rows(fold, closed))


def open_rows(fold: LogFold) -> Iterator[tuple[Any, ...]]:
    """The current rows at the end of a bulk fold, in primary-key order (appended to the table's
    B-tree rather than inserted all over it), encoded as they are written: a list of them all
    would hold a second copy of the working set (~100 MB at 100k items)."""
    encode = _encode
    for (table, row_id), (seq, t, view) in sorted(fold.open.items(), key=_first):
        yield (table, row_id, seq, t, *_columns(table, view), encode(view))


def _write_folded(sql: Sql, folded: Iterable[tuple[Any, ...]], current: Callable[[], Iterable[tuple[Any, ...]]],
                  progress: Callable[[int], None] | None, statements: list[str]) -> int:
    """Insert each batch's rows (events, last seq, then a list of rows per ``BULK_INSERTS`` table),
    then the current rows, then make the indexes again."""
    count, last = 0, 0
    flow, hours, plan = flow_rows.BulkFlow(), {}, plan_rows.BulkPlan()
    insert_flow = flow_rows.bulk_insert(sql)
    for events, last, *tables in folded:
        for insert, rows in zip(BULK_INSERTS, tables, strict=True):
            sql.many(insert, rows)
        # The items' column changes follow from their closed versions (the history rows): the flow
        # tables are filled from those here, not by the fold (pmtui/store/flow_rows.py).
        changes = flow.closed(tables[_HISTORY_ROWS])
        sql.many(insert_flow, changes)
        flow_rows.add_hours(hours, changes)
        plan.seen(tables[_PLAN_ROWS])  # inserted above: the fold made them (plan_rows.fold_rows)
        count += events
        if progress is not None:
            progress(count)
    sql.many(_INSERT_CURRENT, plan.tap(flow.tap(current())))
    changes = flow.take()
    sql.many(insert_flow, changes)
    flow_rows.bulk_done(sql)
    flow_rows.write_hours(sql, flow_rows.add_hours(hours, changes))
    flow_rows.mark_filled(sql)
    sql.many(plan_rows.INSERT, plan.take())
    plan_rows.mark_filled(sql)
    for statement in statements:
        sql.run(statement.replace("{", "{{").replace("}", "}}"))
    _set_position(sql, last)
    return count


_encode = msgspec.msgpack.Encoder().encode  # encode_view's encoding, without a call per row
_INSERT_LINE = "INSERT INTO {l} (seq, t, occurred, recorded, aggregate_id, name, actor) VALUES (?, ?, ?, ?, ?, ?, ?)"
_INSERT_ENTRY = "INSERT INTO {e} (tbl, seq, t, owner, body) VALUES (?, ?, ?, ?, ?)"
# What a bulk fold inserts per batch, in the order ``fold_chunk`` returns the rows: a table the
# fold fills (a new view's own table) adds its INSERT here and its rows there.
BULK_INSERTS = (_INSERT_LINE, _INSERT_ENTRY, _INSERT_HISTORY, plan_rows.INSERT)
_HISTORY_ROWS = BULK_INSERTS.index(_INSERT_HISTORY)
_PLAN_ROWS = BULK_INSERTS.index(plan_rows.INSERT)


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _closed_row(version: Closed) -> tuple[Any, ...]:
    table, row_id, from_pos, to_pos, from_t, to_t, view = version
    if table == "items":  # nine versions in ten: _columns inlined
        return (table, row_id, from_pos, to_pos, from_t, to_t, view.board_id, view.key,
                None if view.archived or view.kind == "epic" else view.status, view.rank, view.number, _encode(view))
    return (table, row_id, from_pos, to_pos, from_t, to_t, *_columns(table, view), _encode(view))


_SHORT = {"rm_current": "c", "rm_history": "h", "rm_version": "v", "rm_entry": "e", "rm_log": "l", "rm_meta": "m",
          "rm_flow": "f", "rm_flow_hour": "fh", "rm_plan": "p", "rm_flow_sum": "s"}


# Reading -----------------------------------------------------------------------------------------
class Point:
    """Where a view stands: now, after event #N (``pos``), or at moment T (``moment``)."""

    __slots__ = ("pos", "moment")

    def __init__(self, pos: int | None = None, moment: float | None = None) -> None:
        self.pos, self.moment = pos, moment

    @property
    def is_now(self) -> bool:
        return self.pos is None and self.moment is None

    def versions(self, what: str, where: str = "", params: Sequence[Any] = (), *,
                 intervals: bool = False, group_by: str = "", board: str = "",
                 by_id: bool = False, by_key: bool = False) -> tuple[str, list[Any]]:
        """A query of ``what`` over the versions valid at this point that meet ``where`` (``AND ...``):
        the current rows begun by then, and the history's rows that held then. ``intervals``:
        find those through the forks' indexes (see ``fork_path``; for questions about many rows:
        one row's versions are found faster by its id). ``group_by``: each part grouped on its
        own (counts per column read from an index in its order; the caller sums the parts).
        ``board``: ``where`` names one board (``grp``) and its cards' column(s) (``status``): the
        history through the board's own indexes (``rm_history_board_*``), from the side given
        (``"to"``: versions ending after the point, ``"from"``: begun by it). ``by_id``: ``where``
        names rows by id: the history through its id index (SQLite's planner, with no statistics,
        would scan the history's time index instead: ~0.5 s for a page of cards as of a moment);
        ``by_key``: ``where`` names an item by its key (its history through the key index)."""
        if group_by:
            where = f"{where} GROUP BY {group_by}"
        if self.pos is not None:
            bound, between, fork, x = self.pos, ("from_pos", "to_pos"), "fork_p", self.pos
            # A version ends at an event the tables were folded to, so at a point at or past their
            # position (now, as a workspace pins it) no history row holds. The history is joined
            # to that position's row, read first (CROSS JOIN keeps SQLite's order) and only if it
            # lies past the point: in the statement's own snapshot, so a write meanwhile is seen
            # whole or not at all. Now, that spares the history's look-ups (by id, a table row
            # read per past version: 15-80 ms per column of cards at the first frame of a
            # 540k-event store). A scalar subquery as a guard is evaluated per row, not before.
            held, guard = "{m} AS held CROSS JOIN ", "held.name = 'position' AND held.value > ? AND "
        elif self.moment is not None:
            bound, between, fork, x = self.moment, ("from_t", "to_t"), "fork_t", _tick(self.moment)
            held, guard = "", ""
        else:
            return f"SELECT {what} FROM {{c}} WHERE 1 = 1{where}", list(params)
        start, end = between
        at = [bound] if guard else []
        current = f"SELECT {what} FROM {{c}} WHERE {start} <= ?{where}"
        if board and intervals:
            # The current rows through the board's column index too: with no statistics SQLite
            # would read every item's row by the primary key to check a time.
            axis = fork[-1]
            current = f"SELECT {what} FROM {{c_column}} WHERE {start} <= ?{where}"
            return (f"{current} UNION ALL SELECT {what} FROM {held}{{h_board_{axis}_{board}}} "
                    f"WHERE {guard}{end} > ? AND {start} <= ?{where}", [bound, *params, *at, bound, bound, *params])
        if not intervals:
            history = "{h_row}" if by_id else "{h_key}" if by_key else "{h}"
            return (f"{current} UNION ALL SELECT {what} FROM {held}{history} WHERE {guard}{end} > ? AND {start} <= ?{where}",
                    [bound, *params, *at, bound, bound, *params])
        left, right = fork_path(x)
        # Integers made here; -1, no fork, keeps a list never empty (PostgreSQL refuses IN ()).
        nodes = lambda found: ", ".join(str(n) for n in found or [-1])  # noqa: E731
        axis = fork[-1]
        return (f"{current} UNION ALL SELECT {what} FROM {held}{{h_{axis}_to}} WHERE {guard}{fork} IN ({nodes(left)}) "
                f"AND {end} > ? AND {start} <= ?{where} UNION ALL SELECT {what} FROM {held}{{h_{axis}_from}} "
                f"WHERE {guard}{fork} IN ({nodes(right)}) AND {start} <= ? AND {end} > ?{where}",
                [bound, *params, *at, bound, bound, *params, *at, bound, bound, *params])

    def entries(self) -> tuple[str, list[Any]]:
        if self.pos is not None:
            return "seq <= ?", [self.pos]
        if self.moment is not None:
            return "t <= ?", [self.moment]
        return "1 = 1", []


class ReadModel:
    """Queries over the tables, for one store. ``cursor()`` gives a read cursor."""

    def __init__(self, cursor: Callable[[], Any], postgres: bool, schema: str | None,
                 close: Callable[[], None] | None = None, intervals: bool = False) -> None:
        """``intervals``: the history has its fork columns (``ensure_intervals``)."""
        self._cursor = cursor
        self._close = close
        self.postgres = postgres
        self.schema = schema
        self.intervals = intervals

    @contextmanager
    def sql(self) -> Iterator[Sql]:
        with self._cursor() as cursor:
            yield Sql(cursor, self.postgres, self.schema)

    def query(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.sql() as sql:
            return sql.all(text, params)

    def chunks(self, text: str, params: Sequence[Any] = (), size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        """``query``'s rows a chunk at a time (see ``Sql.chunks``)."""
        with self.sql() as sql:
            yield from sql.chunks(text, params, size)

    def position(self) -> int:
        with self.sql() as sql:
            return position(sql) or 0

    def close(self) -> None:
        if self._close is not None:
            self._close()

    def workspace(self, point: Point | None = None) -> StoredWorkspace:
        return StoredWorkspace(self, point or Point())

    # Rows ---------------------------------------------------------------------------------------
    def views(self, table: str, point: Point, where: str = "", params: Sequence[Any] = (), *,
              many: bool = True) -> list[Any]:
        """The table's rows as of the point that meet ``where``; ``many``: a question about many
        rows (through the interval index), else about rows named by id in ``where``."""
        text, values = point.versions("body", " AND tbl = ?" + where, [table, *params],
                                      intervals=many and self.intervals, by_id=not many)
        return _decoded(table, self.query(text, values))

    def sprint_members(self, sprint_id: str, point: Point) -> set[str] | None:
        """The items put in the sprint at some time up to the point (those in it then are among
        them): one range of ``rm_plan``'s sprint index. None where that table does not hold every
        change yet (a store made before it, until its one-time fill)."""
        with self.sql() as sql:
            try:
                if not plan_rows.filled(sql):
                    return None
            except Exception:  # noqa: BLE001 - no table at all: a store opened read-only, never upgraded
                return None
            cut, params = ("from_pos <= ?", [point.pos]) if point.pos is not None else \
                ("from_t <= ?", [point.moment]) if point.moment is not None else ("1 = 1", [])
            return {r[0] for r in sql.all(f"SELECT DISTINCT id FROM {{p}} WHERE sprint = ? AND {cut}",
                                           [sprint_id, *params])}

    def count_views(self, table: str, point: Point) -> int:
        """How many rows ``views(table, point)`` would give, counted in SQL (none read)."""
        text, values = point.versions("1", " AND tbl = ?", [table], intervals=self.intervals)
        return self.query(f"SELECT COUNT(*) FROM ({text}) AS counted", values)[0][0]

    def view(self, table: str, row_id: str, point: Point) -> Any | None:
        found = self.views(table, point, " AND id = ?", [row_id], many=False)
        return found[0] if found else None

    def entries(self, table: str, point: Point, owner: str | None = None,
                between: Callable[[], None] | None = None) -> list[Any]:
        """``between``: read a chunk at a time, calling it after each (a worker that gives way)."""
        cond, values = point.entries()
        where, params = (" AND owner = ?", [owner]) if owner is not None else ("", [])
        # As the fold would list them: up to an event, in the log's order; at a moment, in the
        # order of when they took effect (a backdated comment among the ones it precedes).
        order = "t, seq" if point.moment is not None else "seq"
        text, args = f"SELECT body FROM {{e}} WHERE tbl = ? AND {cond}{where} ORDER BY {order}", [table, *values, *params]
        if between is None:
            return _decoded(table, self.query(text, args))
        found: list[Any] = []
        for chunk in self.chunks(text, args, SLICE_ROWS):
            found += _decoded(table, chunk)
            between()
        return found

    def count_in_column(self, board_id: str, column: str) -> int:
        """Cards now in a board's column (archived items and epics are not cards)."""
        return self.query("SELECT COUNT(*) FROM {c} WHERE tbl = 'items' AND grp = ? AND status = ?",
                          [board_id, column])[0][0]

    def walk(self, board_id: str, start: ItemView | None, direction: str, page: int = 200) -> Iterator[ItemView]:
        """A board's items now, from ``start`` (excluded; None: the board's edge) up or down the
        board's order (rank, then number), a page at a time."""
        up = direction == "up"
        op, order = ("<", "DESC") if up else (">", "ASC")
        after: tuple[str, int] | None = (start.rank, start.number) if start is not None else None
        while True:
            where, params = "", [board_id]
            if after is not None:
                # "rank <=" / ">=" bounds the index's range: the OR alone walks the index from
                # the board's far edge (upwards: every card below, ~150 ms at 50k cards).
                where = f" AND rank {op}= ? AND (rank {op} ? OR (rank = ? AND ord {op} ?))"
                params += [after[0], after[0], after[0], after[1]]
            rows = self.query(
                f"SELECT body FROM {{c}} WHERE grp = ? AND tbl = 'items'{where} "
                f"ORDER BY rank {order}, ord {order} LIMIT {page}", params)
            views = [_decode("items", bytes(r[0])) for r in rows]
            yield from views
            if len(views) < page:
                return
            after = (views[-1].rank, views[-1].number)

    def seqs(self) -> list[int]:
        """Every event's number, in log order."""
        return [r[0] for r in self.query("SELECT seq FROM {l} ORDER BY seq")]

    def neighbour_event(self, seq: int, step: int) -> int | None:
        """The number of the event before (step -1; 0 for the beginning) or after ``seq``."""
        if step < 0:
            if seq <= 0:
                return None
            found = self.query("SELECT MAX(seq) FROM {l} WHERE seq < ?", [seq])[0][0]
            return found or 0
        return self.query("SELECT MIN(seq) FROM {l} WHERE seq > ?", [seq])[0][0]

    def log_order(self, upto: int, moment: float | None = None, *, actor: str = "", kind: str = "",
                  since: float | None = None, until: float | None = None, aggregates: Sequence[str] = ()) -> list[int]:
        """Numbers of the events up to #``upto`` (and by ``moment``), newest first by when they
        occurred, filtered by actor (any case), part of the event name, a time window and the
        aggregates (the TUI and ``pmtui log`` page the same order: ``pmtui.store.log_pages``)."""
        from pmtui.store.log_pages import log_where

        where, params = log_where(upto, moment, actor=actor, kind=kind, since=since, until=until,
                                  aggregates=aggregates)
        rows = self.query(f"SELECT seq FROM {{l}} WHERE {where} ORDER BY t DESC, seq DESC", params)
        return [r[0] for r in rows]

    def touched_between(self, low: int, high: int, limit: int = 512) -> set[str] | None:
        """The aggregates events ``low < seq <= high`` changed; None if they are more than ``limit``."""
        rows = self.query("SELECT aggregate_id FROM {l} WHERE seq > ? AND seq <= ? LIMIT ?", [low, high, limit + 1])
        return None if len(rows) > limit else {r[0] for r in rows}

    def touched_in_time(self, low: float, high: float, limit: int = 512) -> set[str] | None:
        """The aggregates whose events took effect in ``low < t <= high`` (what differs between
        the workspaces as of those two moments); None if they are more than ``limit``."""
        rows = self.query("SELECT aggregate_id FROM {l} WHERE t > ? AND t <= ? LIMIT ?", [low, high, limit + 1])
        return None if len(rows) > limit else {r[0] for r in rows}

    def next_number(self, table: str) -> int:
        rows = self.query("SELECT MAX(ord) FROM {c} WHERE tbl = ?", [table])
        return (rows[0][0] or 0) + 1


class LazyTable(Mapping[str, Any]):
    """A view table as of a point, read on demand: single rows by id, all rows when iterated."""

    def __init__(self, model: ReadModel, table: str, point: Point) -> None:
        self.model, self.table, self.point = model, table, point
        self._all: dict[str, Any] | None = None
        self._one: dict[str, Any] = {}
        self._count: int | None = None

    def _everything(self) -> dict[str, Any]:
        if self._all is None:
            views = self.model.views(self.table, self.point)
            # In order of creation, as the in-memory fold keeps them.
            views.sort(key=self._created)
            self._all = {(v["id"] if isinstance(v, dict) else v.id): v for v in views}
        return self._all

    def _created(self, view: Any) -> Any:
        if self.table == "items" or self.table in NUMBERED:
            return view.number
        return 0  # a stable sort keeps the store's order

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if self._all is not None:
            return self._all.get(key, default)
        if key not in self._one:
            self._one[key] = self.model.view(self.table, key, self.point) if isinstance(key, str) else None
        found = self._one[key]
        return default if found is None else found

    def __getitem__(self, key: str) -> Any:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The rows of these ids that exist (``projections.state.rows_by_id``): read 500 to a query,
        where one ``get`` each was a query each (15k queries for a list of 2,500 sprints)."""
        wanted = [k for k in dict.fromkeys(keys) if isinstance(k, str)]
        if self._all is None:
            missing = [k for k in wanted if k not in self._one]
            for start in range(0, len(missing), 500):
                chunk = missing[start:start + 500]
                found = {(v["id"] if isinstance(v, dict) else v.id): v
                         for v in self.model.views(self.table, self.point, _ids_clause(chunk), chunk, many=False)}
                for key in chunk:
                    self._one[key] = found.get(key)
        return {k: v for k in wanted if (v := self.get(k)) is not None}

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        if self._all is None:  # counted, not read: `len(ws.items)` of 50k items was ~0.45 s
            if self._count is None:
                self._count = self.model.count_views(self.table, self.point)
            return self._count
        return len(self._all)

    def values(self):  # type: ignore[override]
        return self._everything().values()

    def items(self):  # type: ignore[override]
        return self._everything().items()

    def keys(self):  # type: ignore[override]
        return self._everything().keys()

    def copy(self) -> dict[str, Any]:
        return dict(self._everything())


class KeyMap(Mapping[str, str]):
    """Item key -> item id, as of a point (an indexed lookup per key)."""

    def __init__(self, ws: StoredWorkspace) -> None:
        self.ws = ws

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        item = self.ws._item_by_key(key)
        return item.id if item is not None else default

    def __getitem__(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter({v.key: v.id for v in self.ws.items.values()})

    def __len__(self) -> int:
        return len(self.ws.items)


_CARRIED = frozenset({"items", "boards"})  # the tables StoredWorkspace.advanced carries forward


class StoredWorkspace:
    """The workspace as of a point, read from the tables on demand: the same attributes as the
    in-memory ``Workspace``, so every projection reads it alike, and nothing is loaded that the
    question does not touch."""

    def __init__(self, model: ReadModel, point: Point) -> None:
        self.model, self.point = model, point
        self._tables: dict[str, LazyTable] = {}
        self._entries: dict[str, list[Any]] = {}
        self._log: int | None = None
        self._counters: dict[str, Any] = {}
        self._by_key: dict[str, ItemView | None] = {}
        self._cards: dict[str, list[ItemView]] = {}  # board id -> its cards, once read
        self.keys = KeyMap(self)
        self.numbers: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        if name in VIEW_TYPES:
            table = self._tables.get(name)
            if table is None:
                table = self._tables[name] = LazyTable(self.model, name, self.point)
            return table
        if name in ENTRY_TYPES:
            found = self._entries.get(name)
            if found is None:
                found = self._entries[name] = self.model.entries(name, self.point)
            return found
        raise AttributeError(name)

    def advanced(self, point: Point, touched: set[str]) -> StoredWorkspace:
        """This workspace moved on to ``point`` (later on the log), where only the rows of
        ``touched`` aggregates changed: what was loaded is kept and those rows are read again.
        A long-lived session follows others' changes this way at the cost of the change."""
        ahead = StoredWorkspace(self.model, point)
        # Only the items and the boards are kept: an event may change a row of another aggregate
        # than its own in other tables (a new item moves its product's key counter); a board's row
        # changes only by its own events. The boards are kept because every redraw of a live
        # board asks for them (reading them again was ~1.5 ms of each live change at 10k items).
        for name, table in self._tables.items():
            if name not in _CARRIED:
                continue
            moved = LazyTable(self.model, name, point)
            if table._all is not None:
                rows = dict(table._all)
                changed = {v.id if not isinstance(v, dict) else v["id"]: v
                           for v in self.model.views(name, point, _ids_clause(touched), sorted(touched), many=False)} if touched else {}
                if name == "boards" and not changed.keys() <= rows.keys():
                    ahead._tables[name] = moved  # a new board: its place is the store's order, read again
                    continue
                for row_id in touched:
                    if row_id in changed:
                        rows[row_id] = changed[row_id]
                    else:
                        rows.pop(row_id, None)
                moved._all = rows
            else:
                moved._one = {k: v for k, v in table._one.items() if k not in touched}
            ahead._tables[name] = moved
        if not touched:
            ahead._entries = dict(self._entries)
        # Keys looked up before stay found, but for the touched items (and keys not found then: a
        # new item may have taken one); finding one again scans every loaded item (~3 ms at 10k).
        ahead._by_key = {key: item for key, item in self._by_key.items()
                         if item is not None and item.id not in touched}
        counted = self._counters.get("COUNT(*)")
        if counted is not None and self.point.pos is not None and point.pos is not None \
                and point.pos >= self.point.pos:
            # The events counted before plus those since: a short range of the log's key, where
            # counting the whole log again cost a live session ~8 ms per change at 10k items.
            ahead._counters["COUNT(*)"] = counted + (self.model.query(
                "SELECT COUNT(*) FROM {l} WHERE seq > ? AND seq <= ?", [self.point.pos, point.pos])[0][0] or 0)
        return ahead

    def rows_as(self, table: str, kind: type[T], between: Callable[[], None] | None = None) -> list[T]:
        """Every row of ``table`` as of the point, decoded into ``kind``: a msgspec Struct naming
        only the fields wanted, so the rest of each body is skipped unread (search and pickers
        read a few words of 50k items, not 50k whole items). Rows already loaded are reused.
        ``between``: read a chunk at a time, calling it after each (a worker that gives way)."""
        loaded = self._loaded(table)
        if loaded is not None:
            return [msgspec.convert(v, kind, from_attributes=True) for v in loaded.values()]
        decoder = msgspec.msgpack.Decoder(kind)
        text, values = self.point.versions("ord, body", " AND tbl = ?", [table], intervals=self.model.intervals)
        try:
            if between is None:
                rows = sorted(self.model.query(text, values), key=lambda row: row[0] or 0)  # creation order
                with paused_gc():
                    return [decoder.decode(bytes(row[1])) for row in rows]
            numbered: list[tuple[int, T]] = []
            for chunk in self.model.chunks(text, values, SLICE_ROWS):
                with paused_gc():
                    numbered += [(row[0] or 0, decoder.decode(bytes(row[1]))) for row in chunk]
                between()
            numbered.sort(key=_first)  # creation order
            return [view for _, view in numbered]
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise DamagedReadModelError(f"a row of the read model ({table}) is damaged: `pmtui rebuild` "
                                        "folds it again from the log") from None

    def rows_with_status(self, table: str, status: str) -> list[Any]:
        """The rows of ``table`` whose status column holds ``status`` (linked notes), from the
        index, or from the rows already loaded."""
        loaded = self._loaded(table)
        if loaded is not None:
            return [v for v in loaded.values() if getattr(v, "status", None) == status]
        return self.model.views(table, self.point, " AND status = ?", [status])

    def entries_of(self, table: str, owner: str) -> list[Any]:
        """One row's entries (an item's comments, a KPI's measurements) without reading the rest."""
        if table in self._entries:
            return [e for e in self._entries[table] if getattr(e, _OWNER[table]) == owner]
        return self.model.entries(table, self.point, owner)

    # The log's counters, as of the point (each its own indexed query, made when asked) ----------
    def _log_value(self, what: str) -> Any:
        cond, values = self.point.entries()  # rm_log has seq and t, as the entries do
        return self.model.query(f"SELECT {what} FROM {{l}} WHERE {cond}", values)[0][0]

    @property
    def position(self) -> int:
        if self._log is None:
            self._log = self._log_value("MAX(seq)") or 0 if not self.point.is_now else self.model.position()
        return self._log

    def _fixed(self, what: str) -> Any:
        """A counter of the log as of a past point, read once (it never changes there; "now"
        unpinned moves with the log, so it is asked each time)."""
        if self.point.is_now:
            return self._log_value(what)
        if what not in self._counters:
            self._counters[what] = self._log_value(what)
        return self._counters[what]

    @property
    def count(self) -> int:
        return self._fixed("COUNT(*)") or 0

    @property
    def at(self) -> float:
        return self._fixed("MAX(t)") or 0.0

    # Lookups, as on Workspace -------------------------------------------------------------------
    @property
    def product(self) -> ProductView | None:
        return next(iter(self.products.values()), None)

    def _item_by_key(self, key: str) -> ItemView | None:
        wanted = str(key).strip().upper()
        if wanted not in self._by_key:
            loaded = self._loaded("items")
            if loaded is not None:
                found = next((v for v in loaded.values() if v.key == wanted), None)
            else:
                text, values = self.point.versions("body", " AND key = ? AND tbl = 'items'", [wanted], by_key=True)
                rows = self.model.query(text, values)
                found = _decode("items", bytes(rows[0][0])) if rows else None
            self._by_key[wanted] = found
        return self._by_key[wanted]

    def item_by_key(self, key: str) -> ItemView | None:
        return self._item_by_key(key)

    def items_on_board(self, board_id: str) -> list[ItemView]:
        return sorted(self.model.views("items", self.point, " AND grp = ?", [board_id]), key=lambda v: v.number)

    # Subsets of the items, selected by the indexed columns (``_columns``: ``status`` is empty
    # exactly for archived items and epics), so a board or a backlog decodes only its own rows.
    def _loaded(self, table: str) -> dict[str, Any] | None:
        """The rows of ``table`` if this workspace has read them all already, else None."""
        lazy = self._tables.get(table)
        return lazy._all if lazy is not None else None

    def _items_where(self, where: str, params: Sequence[Any] = ()) -> list[ItemView]:
        views = self.model.views("items", self.point, where, params)
        views.sort(key=_number)  # in order of creation, as ``items`` iterates
        return views

    def cards_in_sprint(self, board_id: str, sprint_id: str) -> list[ItemView]:
        """The board's cards in the sprint: those ever put in it (``sprint_members``) read by id
        and kept if they are in it at this point; a sprint of a year-old board is a few dozen rows,
        not the board's 50k cards (`pmtui sprint` at 1M events: 235 MB)."""
        members = self.model.sprint_members(sprint_id, self.point) if self._loaded("items") is None else None
        if members is None:
            return [i for i in self.cards_on_board(board_id) if i.sprint == sprint_id]
        found = self.items.many(members)
        return sorted((i for i in found.values() if i.sprint == sprint_id and i.board_id == board_id
                       and not i.archived and i.kind != "epic"), key=_number)

    def cards_on_board(self, board_id: str) -> list[ItemView]:
        loaded = self._loaded("items")
        if loaded is not None:
            return [i for i in loaded.values() if i.board_id == board_id and not i.archived and i.kind != "epic"]
        # Kept for this workspace: a sprint's summary and its board both ask (one read, not two,
        # of 50k cards for `pmtui sprint`).
        cards = self._cards.get(board_id)
        if cards is None:
            cards = self._cards[board_id] = self._items_where(" AND grp = ? AND status IS NOT NULL", [board_id])
        return list(cards)

    def epics(self) -> list[ItemView]:
        loaded = self._loaded("items")
        if loaded is not None:
            return [i for i in loaded.values() if i.kind == "epic"]
        return [i for i in self._items_where(" AND status IS NULL") if i.kind == "epic"]

    def unarchived_items(self) -> list[ItemView]:
        loaded = self._loaded("items")
        if loaded is not None:
            return [i for i in loaded.values() if not i.archived]
        found = self.model.views("items", self.point, " AND status IS NOT NULL")
        found += [i for i in self.model.views("items", self.point, " AND status IS NULL") if not i.archived]
        found.sort(key=_number)  # one sort of both (in order of creation, as ``items`` iterates)
        return found

    def copy(self) -> Workspace:
        """An in-memory workspace holding everything as of this point (for a fold on top of it)."""
        return Workspace(
            position=self.position, count=self.count, at=self.at,
            **{name: dict(getattr(self, name).items()) for name in VIEW_TYPES},
            keys={v.key: v.id for v in self.items.values()},
            **{name: list(getattr(self, name)) for name in ENTRY_TYPES},
        )


class BoardOrder:
    """A board's order and WIP counts now, for the commands that rank, add and move cards: walks
    of the rank index from an item outwards and counts of one column, never the whole board."""

    def __init__(self, model: ReadModel) -> None:
        self.model = model

    def count(self, board_id: str, column: str) -> int:
        return self.model.count_in_column(board_id, column)

    def ordered(self, board_id: str) -> Iterator[ItemView]:
        return self.model.walk(board_id, None, "down")

    def extremes(self, board_id: str) -> tuple[str | None, str | None]:
        top = next(self.model.walk(board_id, None, "down", page=1), None)
        bottom = next(self.model.walk(board_id, None, "up", page=1), None)
        return (top.rank if top else None, bottom.rank if bottom else None)

    def nearest(self, board_id: str, start: str | None, direction: str,
                keep: Callable[[ItemView], bool], n: int = 1) -> list[ItemView]:
        """Up to ``n`` items nearest to ``start`` (an item id, excluded) in ``direction`` that
        ``keep`` accepts, nearest first; without ``start`` from the board's edge."""
        origin = None
        if start is not None:
            origin = self.model.view("items", start, Point())
            if origin is None or origin.board_id != board_id:
                raise LookupError(f"item {start} is not on board {board_id}")
        found: list[ItemView] = []
        for view in self.model.walk(board_id, origin, direction, page=50):
            if keep(view):
                found.append(view)
                if len(found) == n:
                    break
        return found


_number = operator.attrgetter("number")  # a view's number, without a Python call per view (50k-item sorts)
_first = operator.itemgetter(0)
SLICE_ROWS = 1000  # rows read and decoded between two calls of a reader's ``between`` (a few ms)


def _ids_clause(ids: Collection[str]) -> str:
    return f" AND id IN ({','.join('?' * len(ids))})"


_OWNER = ENTRY_OWNER


class ThreadCursors:
    """SQLite read cursors, one connection per thread (the TUI reads from worker threads)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    @contextmanager
    def __call__(self) -> Iterator[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._lock:
                self._all.append(conn)
        yield conn.cursor()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def open_read_model(log: Any) -> ReadModel:
    """The read model of an open store (its tables were made with the recorder's)."""
    if log.location.kind == "postgres":
        datastore = log.recorder.datastore
        return ReadModel(lambda: datastore.transaction(commit=False), True, datastore.schema,
                         intervals=ensure_intervals(log))
    # Each thread reads through the log's connection of that thread (autocommit, like the rest):
    # a command opens the store once.
    # The log closes them (EventLog.close): the read model owns no connection of its own.
    return ReadModel(ThreadCursors(log.connection), False, None, intervals=ensure_intervals(log))


def catch_up(log: Any, progress: Callable[[int, int], None] | None = None) -> int:
    """Fold the events the tables have not seen, under the store's write lock. Returns the count."""
    if log.location.kind == "postgres":
        from psycopg.sql import SQL

        recorder = log.recorder
        with recorder.datastore.transaction(commit=True) as curs:
            recorder._lock_table(curs)
            sql = Sql(curs, True, recorder.datastore.schema)
            before = position(sql) or 0
            curs.execute(SQL("SELECT MAX(notification_id) AS m FROM {0}").format(recorder.events_table))
            last = curs.fetchone()["m"] or 0
            if before == 0 and last > 0:
                curs.execute(SQL("SELECT COUNT(*) AS n FROM {0} WHERE notification_id <= %s")
                             .format(recorder.events_table), [last])
                return _first_fold(sql, _pg_stored(recorder, curs, 0, last), curs.fetchone()["n"], progress)
            after = fold_gap(sql, lambda a, u: _pg_stored(recorder, curs, a, u), last, progress)
            return after - before
    conn = sqlite3.connect(log.location.target, timeout=10, isolation_level=None)
    try:
        # A store whose tables were never filled (made before them) is folded as a rebuild is.
        first = (position(Sql(conn.cursor(), False)) or 0) == 0
        with bulk_writing(conn) if first else nullcontext():
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: no writer can slip in between
            cursor = conn.cursor()
            sql = Sql(cursor, False)
            before = position(sql) or 0
            last = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0] or 0
            try:
                if before == 0 and last > 0:
                    total = conn.execute("SELECT COUNT(*) FROM stored_events WHERE rowid <= ?", [last]).fetchone()[0]
                    done = _first_fold(sql, _sqlite_stored(conn, 0, last), total, progress)
                else:
                    done = fold_gap(sql, lambda a, u: _sqlite_stored(conn, a, u), last, progress) - before
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return done
    finally:
        conn.close()


def _first_fold(sql: Sql, records: Iterable[EventRecord], total: int,
                progress: Callable[[int, int], None] | None) -> int:
    """The tables' first fold, of every event (``total`` of them): a rebuild's bulk path.
    Returns the events folded."""
    return refold(sql, records, (lambda n: progress(n, total)) if progress is not None else None, events=total)


def _sqlite_stored(conn: Any, after: int, upto: int) -> Stored:
    def rows() -> Iterator[tuple[Any, ...]]:
        start = after
        while True:
            chunk = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                                 "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT 5000", [start, upto]).fetchall()
            yield from chunk
            if len(chunk) < 5000:
                return
            start = chunk[-1][0]
    # One decode over the whole read: it turns each aggregate's id once (so no second, global
    # memo of every id is kept). A fold worker reads the same rows from the file itself.
    path = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    return Stored(rows(), dashed=True, source=(path, after, upto) if path else None)


def _dash(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}" if len(hex_id) == 32 else hex_id


def _pg_stored(recorder: Any, curs: Any, after: int, upto: int) -> Stored:
    from psycopg.sql import SQL

    def rows() -> Iterator[tuple[Any, ...]]:
        start = after
        while True:
            curs.execute(SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {0} "
                             "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT 5000")
                         .format(recorder.events_table), [start, upto])
            chunk = [(r["notification_id"], str(r["originator_id"]), r["originator_version"], r["topic"],
                      bytes(r["state"])) for r in curs.fetchall()]
            yield from chunk
            if len(chunk) < 5000:
                return
            start = chunk[-1][0]
    return Stored(rows(), dashed=False)


# Rebuilding and checking ---------------------------------------------------------------------------
_ORDERED = {
    "c": "SELECT tbl, id, from_pos, from_t, grp, key, status, rank, ord, body FROM {c} ORDER BY tbl, id",
    "h": "SELECT tbl, id, from_pos, to_pos, from_t, to_t, grp, key, status, rank, ord, body FROM {h} "
         "ORDER BY tbl, id, from_pos",
    "e": "SELECT tbl, seq, t, owner, body FROM {e} ORDER BY seq, tbl, t, body",
    "l": "SELECT seq, t, occurred, recorded, aggregate_id, name, actor FROM {l} ORDER BY seq",
    "f": "SELECT id, from_pos, board, from_t, status, archived, prev_status, prev_archived FROM {f} ORDER BY id, from_pos",
    "fh": "SELECT board, hour, status, archived, n FROM {fh} ORDER BY board, hour, status, archived",
    "p": "SELECT id, from_pos, from_t, sprint, points FROM {p} ORDER BY id, from_pos",
}
_WHAT = {"c": "view row", "h": "past version of view row", "e": "list entry", "l": "log line",
         "f": "column change of item", "fh": "hourly column count of board", "p": "sprint or points change of item"}


def _plain(value: Any) -> Any:
    if isinstance(value, (memoryview, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return value


def rebuild(log: Any, progress: Callable[[int, int], None] | None = None) -> int:
    """Refold the whole log into the tables, under the store's write lock (``pmtui rebuild``)."""
    total = log.max_seq()
    report = (lambda n: progress(n, total)) if progress is not None else None
    if log.location.kind == "postgres":
        recorder = log.recorder
        with recorder.datastore.transaction(commit=True) as curs:
            recorder._lock_table(curs)
            return refold(Sql(curs, True, recorder.datastore.schema),
                          _pg_stored(recorder, curs, 0, 2**62), report, events=total)
    conn = sqlite3.connect(log.location.target, timeout=10, isolation_level=None)
    try:
        with bulk_writing(conn):
            conn.execute("BEGIN IMMEDIATE")
            try:
                count = refold(Sql(conn.cursor(), False), _sqlite_stored(conn, 0, 2**62), report, events=total)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return count
    finally:
        conn.close()


BULK_CACHE_KIB = 8 * 1024


@contextmanager
def bulk_writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One connection's settings for writing a whole read model in one transaction, put back
    afterwards: a small page cache (the rebuild's peak memory counts it); no fsync at commit (a
    rebuild can be run again, and WAL keeps the file consistent on a crash: at worst the last
    commit is lost); a helper thread for the index builds' sorts (a second core: ~5 % of a 1M
    rebuild's wall time). The sorts stay in temporary files: in memory they would hold every
    index's keys at once (hundreds of MB at a million events). No secure delete (Debian's SQLite
    is built with it on): the old rows and indexes a rebuild frees would each be overwritten with
    zeros, every freed page written to the WAL and then again at the checkpoint, to hide rows the
    log they were folded from still holds (the DELETE of a 540k-event history: 1.56 -> 0.20 s CPU,
    5.5 -> 0.5 s wall)."""
    settings = {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("cache_size", "synchronous", "threads", "secure_delete")}
    for name, value in (("cache_size", -BULK_CACHE_KIB), ("synchronous", 0), ("threads", 2), ("secure_delete", 0)):
        conn.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        for name, value in settings.items():
            conn.execute(f"PRAGMA {name} = {value}")


def never_built(log: Any) -> bool:
    """Whether the store's log holds events its tables were never filled from (a store made
    before them, not opened since): nothing is wrong, the next command builds them."""
    with _stored_cursor(log) as sql:
        return position(sql) is None and log.max_seq() > 0


def first_difference(log: Any) -> str | None:
    """Compare the store's tables with a fresh fold of its log (made in memory); name the first
    row that differs, or None. Reads stored text as bytes, so a corrupt row is reported, not fatal."""
    fresh = sqlite3.connect(":memory:", isolation_level=None)
    for statement in ddl(lambda name: name, postgres=False):
        fresh.execute(statement)
    if log.location.kind == "postgres":
        recorder = log.recorder
        with recorder.datastore.transaction(commit=False) as curs:
            refold(Sql(fresh.cursor(), False), _pg_stored(recorder, curs, 0, 2**62))
    else:
        source = sqlite3.connect(log.location.target, timeout=10, isolation_level=None)
        try:
            refold(Sql(fresh.cursor(), False), _sqlite_stored(source, 0, 2**62))
        finally:
            source.close()
    fresh.text_factory = bytes
    mine = Sql(fresh.cursor(), False)
    with _stored_cursor(log) as theirs:
        at, expected = position(theirs), position(mine)
        if at != expected:
            return f"the read model's tables are folded to #{at or 0}, but the log ends at #{expected or 0}"
        flow_filled = flow_rows.filled(theirs)  # not yet made for this store: nothing to compare
        plan_filled = plan_rows.filled(theirs)
        for name, text in _ORDERED.items():
            if (name in ("f", "fh") and not flow_filled) or (name == "p" and not plan_filled):
                continue
            theirs.run(text)
            mine.run(text)
            while True:
                got, want = theirs.cursor.fetchmany(2000), mine.cursor.fetchmany(2000)
                if not got and not want:
                    break
                for a, b in zip(_rows(got, theirs.postgres), _rows(want, False)):
                    if a != b and not _same_content(name, a, b):
                        key = b if b else a
                        return f"the read model's {_WHAT[name]} {_describe(name, key)} differs from a fresh fold of the log"
                if len(got) != len(want):
                    return f"the read model's {_WHAT[name]}s differ in number from a fresh fold of the log"
    return None


def _rows(rows: list[Any], postgres: bool) -> list[tuple[Any, ...]]:
    return [tuple(_plain(v) for v in (r.values() if postgres and isinstance(r, dict) else r)) for r in rows]


def _same_content(name: str, a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Rows that differ only in how a body encodes the same view: a row read back from the store
    and changed again holds 3.0 where a fresh fold keeps the event's 3 (equal numbers)."""
    if name == "l" or len(a) != len(b) or a[:-1] != b[:-1]:
        return False
    table = a[0].decode() if isinstance(a[0], bytes) else a[0]
    try:
        return decode_view(table, a[-1]) == decode_view(table, b[-1])
    except (msgspec.DecodeError, msgspec.ValidationError, KeyError):
        return False


def _describe(name: str, row: tuple[Any, ...]) -> str:
    text = lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)  # noqa: E731
    if name in ("c", "h"):
        return f"{text(row[0])} {text(row[1])} (from #{row[2]})"
    if name in ("e", "f", "p"):
        return f"{text(row[0])} (event #{row[1]})"
    if name == "fh":
        return f"{text(row[0])} (hour {row[1]}, {text(row[2])})"
    return f"for event #{row[0]}"


@contextmanager
def _stored_cursor(log: Any) -> Iterator[Sql]:
    if log.location.kind == "postgres":
        datastore = log.recorder.datastore
        with datastore.transaction(commit=False) as curs:
            yield Sql(curs, True, datastore.schema)
        return
    conn = sqlite3.connect(log.location.target, timeout=10, isolation_level=None)
    conn.text_factory = bytes
    try:
        conn.execute("BEGIN")  # one snapshot of the store for the whole comparison
        yield Sql(conn.cursor(), False)
        conn.execute("COMMIT")
    finally:
        conn.close()


__all__ = ["ReadModel", "StoredWorkspace", "Point", "Sql", "project", "refold", "ddl", "SCHEMA_VERSION", "decode_rows"]
