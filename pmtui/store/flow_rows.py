"""The items' column changes, stored: ``rm_flow``, one row per item version whose column
(``status``) or archived flag differs from the item's version before it (its first version too).

Why: the flow charts (cumulative flow, WIP, cycle and lead time, throughput) read only where each
item stood and when that changed. Walking every item version for it (``item_places`` over
``rm_history``) read a million versions at a million events, seconds a chart. The changes are
about a third of the versions, and each row also carries the state it replaced (``prev_status``,
``prev_archived``: NULL for the first), so a count per column per day is a sum of +1/-1 over the
rows in a window (``pmtui.service.flow_counts``), not a walk.

The rows are append-only like the versions they follow: an item's versions never go back on
either axis (``projections.versions``), so the changes valid "as of #N" are the rows with
``from_pos <= N`` and "as of T" those with ``from_t <= T``. An item's board never changes (it is
set when the item is created), so the rows of one board are the changes of its items.

Written in the same transaction as the versions: ``live_rows`` by ``write_batch`` (each item's
state before the batch is its latest row here), ``BulkFlow`` by the bulk fold (``pmtui rebuild``,
a demo), ``fill`` once for a store made before the table (flagged in ``rm_meta`` as ``flow``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec

from projections.metrics.source import ItemFacts

FLAG = "flow"  # rm_meta's name for "rm_flow holds every change of the log so far"
INSERT = ("INSERT INTO {f} (board, id, from_pos, from_t, status, archived, prev_status, prev_archived) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_FACTS = msgspec.msgpack.Decoder(ItemFacts)


def flow_ddl(t: Callable[[str], str], postgres: bool) -> list[str]:
    """The table and its index (``t`` qualifies a name, as in ``readmodel.ddl``)."""
    text, real, big = ("text", "double precision", "bigint") if postgres else ("TEXT", "REAL", "INTEGER")
    clustered = "" if postgres else " WITHOUT ROWID"
    f = t("rm_flow")
    return [
        # Clustered by item, then number: an item's latest row (its state before a write) and
        # the per-item questions (started, finished) read it in place.
        f"CREATE TABLE IF NOT EXISTS {f} (board {text} NOT NULL, id {text} NOT NULL, from_pos {big} NOT NULL, "
        f"from_t {real} NOT NULL, status {text} NOT NULL, archived {big} NOT NULL, prev_status {text}, "
        f"prev_archived {big}, PRIMARY KEY (id, from_pos)){clustered}",
        # A board's changes in time order, covering what the flow charts read.
        f"CREATE INDEX IF NOT EXISTS rm_flow_board ON {f} (board, from_t, from_pos, status, archived, "
        "prev_status, prev_archived)",
        # Per board and hour of effective time (floor(from_t / 3600)): how many items entered (+)
        # and left (-) each (column, archived) state, net. A count per column at the end of a
        # local day is a sum over the hours before it (every zone's days start on the hour but
        # a few: those read the rows), ~9k hours a year instead of every change.
        f"CREATE TABLE IF NOT EXISTS {t('rm_flow_hour')} (board {text} NOT NULL, hour {big} NOT NULL, "
        f"status {text} NOT NULL, archived {big} NOT NULL, n {big} NOT NULL, "
        f"PRIMARY KEY (board, hour, status, archived)){clustered}",
    ]


Row = tuple[str, str, int, float, str, int, Any, Any]
HourKey = tuple[str, int, str, int]  # (board, hour, status, archived)
ADD_HOURS = ("INSERT INTO {fh} AS x (board, hour, status, archived, n) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT (board, hour, status, archived) DO UPDATE SET n = x.n + excluded.n")


# The bulk fold makes its rows in the order their versions close (by event number), all over
# rm_flow's (id, from_pos) key: on SQLite each insert landed on a random page of a table larger
# than the rebuild's page cache. There they are staged in a temporary table (appended) and moved
# into rm_flow in key order once the fold is done (190k rows: 1.04 -> 0.60 s CPU, 2.5 -> 1.3 s wall).
_SORT_CACHE_KIB = 2048
_STAGE_COLUMNS = "board, id, from_pos, from_t, status, archived, prev_status, prev_archived"


def bulk_insert(sql: Any) -> str:
    """The INSERT for a bulk fold's rows (``sql.many`` with it): into an empty stage on SQLite,
    moved into the table by ``bulk_done``; PostgreSQL's rows go to the table itself."""
    if sql.postgres:
        return INSERT
    sql.run(f"CREATE TEMP TABLE IF NOT EXISTS rm_flow_fill ({_STAGE_COLUMNS})")
    sql.run("DELETE FROM temp.rm_flow_fill")
    return f"INSERT INTO temp.rm_flow_fill ({_STAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def bulk_done(sql: Any) -> None:
    """Move the staged rows into the table, in its key's order."""
    if not sql.postgres:
        # The sort holds runs the size of the page cache in memory: a small cache for it (1M
        # events: +6 MB of peak instead of +24, measured in process; the rebuild's peak is the limit).
        cache = sql.one("PRAGMA cache_size")
        sql.run(f"PRAGMA cache_size = -{_SORT_CACHE_KIB}")
        try:
            sql.run(f"INSERT INTO {{f}} ({_STAGE_COLUMNS}) SELECT {_STAGE_COLUMNS} FROM temp.rm_flow_fill "
                    "ORDER BY id, from_pos")
        finally:
            if cache is not None:
                sql.run(f"PRAGMA cache_size = {int(cache[0])}")
        sql.run("DROP TABLE temp.rm_flow_fill")


def hour_of(t: float) -> int:
    return int(t // 3600)


def add_hours(counts: dict[HourKey, int], rows: Iterable[Row]) -> dict[HourKey, int]:
    """Add the rows' entries (+1) and exits (-1) to per-hour net counts."""
    for board, _, _, t, status, archived, prev_status, prev_archived in rows:
        hour = int(t // 3600)
        key = (board, hour, status, archived)
        counts[key] = counts.get(key, 0) + 1
        if prev_status is not None:
            key = (board, hour, prev_status, prev_archived)
            counts[key] = counts.get(key, 0) - 1
    return counts


def write_hours(sql: Any, counts: dict[HourKey, int]) -> None:
    sql.many(ADD_HOURS, [(*key, n) for key, n in counts.items()])


def write(sql: Any, rows: list[Row]) -> None:
    """Store change rows and their hours (the live write: a batch's few rows)."""
    if rows:
        sql.many(INSERT, rows)
        write_hours(sql, add_hours({}, rows))


def item_chains(versions: Iterable[Any]) -> dict[str, list[Any]]:
    """A fold's item versions (``projections.versions.Version``, in fold order), by item."""
    chains: dict[str, list[Any]] = {}
    for v in versions:
        if v.table == "items":
            chains.setdefault(v.row_id, []).append(v)
    return chains


def latest_rows(sql: Any, table: str, columns: str, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """Each item's latest row of a table of changes keyed (id, from_pos) (``table``: its short
    name), as the ``columns`` named: the state the item's next change is compared with."""
    out: dict[str, tuple[Any, ...]] = {}
    for n in range(0, len(ids), 500):
        part = ids[n:n + 500]
        marks = ",".join("?" * len(part))
        for row_id, *values in sql.all(
                f"SELECT id, {columns} FROM {{{table}}} x WHERE id IN ({marks}) AND from_pos = "
                f"(SELECT MAX(from_pos) FROM {{{table}}} y WHERE y.id = x.id)", part):
            out[row_id] = tuple(values)
    return out


def live_rows(sql: Any, versions: Iterable[Any]) -> list[Row]:
    """The rows of a fold's item versions (``projections.versions.Version``, in fold order), each
    compared with the item's version before it: in the batch, else its latest stored row."""
    chains = item_chains(versions)
    if not chains:
        return []
    before = latest_rows(sql, "f", "status, archived", list(chains))
    out: list[Row] = []
    for row_id, chain in chains.items():
        prev = before.get(row_id)
        for v in chain:
            state = (v.view.status, int(v.view.archived))
            if state != prev:
                out.append((v.view.board_id, row_id, v.seq, v.t, *state,
                            *(prev if prev is not None else (None, None))))
                prev = state
    return out


class BulkFlow:
    """The rows of a bulk fold, made from the rows it writes: its history rows as they close (each
    item's in order), then its current rows. ``last`` holds each item's state as folded so far.
    The status column of a stored row is empty for archived items and epics: those are read from
    the body (about one version in ten)."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[str, int]] = {}
        self.pending: list[Row] = []

    def _add(self, row_id: str, from_pos: int, from_t: float, grp: str, status: Any, body: bytes) -> None:
        if status is None:
            facts = _FACTS.decode(body)
            state = (facts.status, int(facts.archived))
        else:
            state = (status, 0)
        prev = self.last.get(row_id)
        if state != prev:
            self.last[row_id] = state
            self.pending.append((grp, row_id, from_pos, from_t, *state, *(prev if prev is not None else (None, None))))

    def closed(self, history: Iterable[tuple[Any, ...]]) -> list[Row]:
        """Rows of history rows (tbl, id, from_pos, to_pos, from_t, to_t, grp, key, status, rank, ord, body)."""
        add = self._add
        for row in history:
            if row[0] == "items":
                add(row[1], row[2], row[4], row[6], row[8], row[11])
        out, self.pending = self.pending, []
        return out

    def tap(self, current: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """The current rows (tbl, id, from_pos, from_t, grp, key, status, rank, ord, body), passed
        on as they are; their changes wait in ``pending``."""
        add = self._add
        for row in current:
            if row[0] == "items":
                add(row[1], row[2], row[3], row[4], row[6], row[9])
            yield row

    def take(self) -> list[Row]:
        """The rows made since the last call."""
        out, self.pending = self.pending, []
        return out


def clear(sql: Any) -> None:
    sql.run("DELETE FROM {f}")
    sql.run("DELETE FROM {fh}")


def mark_flag(sql: Any, name: str) -> None:
    """Note in rm_meta that a table derived from the versions holds every change (``name``)."""
    if not has_flag(sql, name):
        sql.run("INSERT INTO {m} (name, value) VALUES (?, 1)", [name])


def has_flag(sql: Any, name: str) -> bool:
    return sql.one("SELECT value FROM {m} WHERE name = ?", [name]) is not None


def mark_filled(sql: Any) -> None:
    mark_flag(sql, FLAG)


def filled(sql: Any) -> bool:
    return has_flag(sql, FLAG)


def fill(sql: Any) -> int:
    """Make the rows of every item version stored (a store made before the table), in the caller's
    write transaction: one pass over the versions in (item, number) order. Returns the rows made."""
    clear(sql)
    flow = BulkFlow()
    chunks = sql.chunks(
        "SELECT id, from_pos, from_t, grp, status, CASE WHEN status IS NULL THEN body END FROM {h_row} "
        "WHERE tbl = 'items' UNION ALL SELECT id, from_pos, from_t, grp, status, CASE WHEN status IS NULL "
        "THEN body END FROM {c} WHERE tbl = 'items' ORDER BY 1, 2")
    made = 0
    hours: dict[HourKey, int] = {}
    for chunk in chunks:
        for row_id, from_pos, from_t, grp, status, body in chunk:
            flow._add(row_id, from_pos, from_t, grp, status, None if body is None else bytes(body))
        rows = flow.take()
        sql.many(INSERT, rows)
        add_hours(hours, rows)
        made += len(rows)
    write_hours(sql, hours)
    mark_filled(sql)
    return made
