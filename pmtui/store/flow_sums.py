"""Each item's flow so far, stored: ``rm_flow_sum``, one row per item, with what cycle time, lead
time and throughput read of it (pmtui/service/flow_items.py): its first change, when it first
entered a doing column, when it last entered done, how often it left done, and its last change
(number, in done, archived), with its key, kind and creation.

Why: summing every item's column changes (``rm_flow``) per item is a GROUP BY over all of them
(~0.4 s at a million events), and the items' key, kind and creation a decode of every item
(~0.15 s). Kept per item as the changes are written, the charts of "now" read 100k short rows.

The sums take a column's category (todo, doing, done) from the board's version when the change is
written. They answer only what they can: at a point that sees the whole log (now; as of the last
event), when no board's versions disagree on the category of a column its items used (the check
``flow_items`` makes before any sums), and for items whose board was known when each change was
written (``known``); the rest is summed from ``rm_flow`` or walked, as before.

Written with each batch (``update``, by ``write_batch``, after its rm_flow rows), and made whole
from rm_flow once (``fill``, flagged in ``rm_meta`` as ``flow_sum``) for a store made before the
table or just refolded (``pmtui rebuild`` empties it: the bulk fold does not keep it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from pmtui.store import flow_rows
from projections.metrics.flow import category_in
from projections.metrics.source import ItemFacts
from projections.versions import decode_view

FLAG = "flow_sum"
COLUMNS = "id, board, key, kind, created, first_t, first_pos, started, entered, reopened, last, known"
UPSERT = (f"INSERT INTO {{s}} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
          + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS.split(", ")[1:]))
_FACTS = msgspec.msgpack.Decoder(ItemFacts)


def sums_ddl(t: Callable[[str], str], postgres: bool) -> list[str]:
    text, real, big = ("text", "double precision", "bigint") if postgres else ("TEXT", "REAL", "INTEGER")
    clustered = "" if postgres else " WITHOUT ROWID"
    return [
        f"CREATE TABLE IF NOT EXISTS {t('rm_flow_sum')} (id {text} PRIMARY KEY, board {text} NOT NULL, "
        f"key {text} NOT NULL, kind {text} NOT NULL, created {real} NOT NULL, first_t {real} NOT NULL, "
        f"first_pos {big} NOT NULL, started {real}, entered {real}, reopened {big} NOT NULL, last {big} NOT NULL, "
        f"known {big} NOT NULL){clustered}",
    ]


def is_in(category: str, column: str, categories: dict[tuple[str, str], str]) -> tuple[str, list[Any]]:
    """SQL that is true when ``column`` (a status column of rm_flow) is a column of ``category`` by
    the fixed map, and its parameters: a list of names per board (an IN list is a few times
    cheaper per row than a CASE over every (board, column))."""
    boards: dict[str, list[str]] = {}
    for (board, status), found in categories.items():
        if found == category:
            boards.setdefault(board, []).append(status)
    if not boards:
        return "0 = 1", []
    arms, params = [], []
    for board, statuses in boards.items():
        arms.append(f"(board = ? AND {column} IN ({', '.join('?' * len(statuses))}))")
        params.extend([board, *statuses])
    return f"({' OR '.join(arms)})", params


def sums_query(categories: dict[tuple[str, str], str], where: str) -> tuple[str, list[Any]]:
    """Each item's sums over its rm_flow rows that meet ``where`` (its parameters follow those
    returned): id, first_t, first_pos, started, entered, reopened, last. The last change without
    SQLite's bare columns (which follow one of several MIN/MAX arbitrarily, and PostgreSQL has
    none): its number packed with "in done" and "archived" into one integer whose MAX is its."""
    (doing, p_doing), (done, p_done) = is_in("doing", "status", categories), is_in("done", "status", categories)
    was_done, p_was_done = is_in("done", "prev_status", categories)
    return (f"SELECT id, MIN(from_t) AS first_t, MIN(from_pos) AS first_pos, MIN(CASE WHEN {doing} THEN from_t END) "
            f"AS started, MAX(CASE WHEN {done} AND (prev_status IS NULL OR NOT {was_done}) THEN from_t END) AS entered, "
            f"SUM(CASE WHEN prev_status IS NOT NULL AND {was_done} AND NOT {done} THEN 1 ELSE 0 END) AS reopened, "
            f"MAX(from_pos * 4 + (CASE WHEN {done} THEN 2 ELSE 0 END) + archived) AS last "
            f"FROM {{f}} WHERE {where} GROUP BY id",
            [*p_doing, *p_done, *p_was_done, *p_was_done, *p_done, *p_done])


def _boards(sql: Any, ids: Iterable[str] | None = None) -> dict[str, Any]:
    """The boards' current versions (of these ids, or all)."""
    if ids is None:
        rows = sql.all("SELECT id, body FROM {c} WHERE tbl = 'boards'")
    else:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = sql.all(f"SELECT id, body FROM {{c}} WHERE tbl = 'boards' AND id IN ({','.join('?' * len(wanted))})",
                       wanted)
    return {row_id: decode_view("boards", bytes(body)) for row_id, body in rows}


def update(sql: Any, changes: list[tuple[Any, ...]], versions: Iterable[Any]) -> None:
    """Bring the sums of a batch's items up to date: its item versions (key, kind, creation) and
    its rm_flow rows (``flow_rows.Row``, each item's in order), with each board's category as
    its latest version in the batch or the store has it."""
    items: dict[str, Any] = {}
    boards: dict[str, Any] = {}
    for v in versions:
        if v.table == "items":
            items[v.row_id] = v.view
        elif v.table == "boards":
            boards[v.row_id] = v.view
    if not items:
        return
    needed = {view.board_id for view in items.values()} - set(boards)
    boards.update(_boards(sql, needed))
    ids = list(items)
    held: dict[str, list[Any]] = {}
    for n in range(0, len(ids), 500):
        part = ids[n:n + 500]
        for row in sql.all(f"SELECT {COLUMNS} FROM {{s}} WHERE id IN ({','.join('?' * len(part))})", part):
            held[row[0]] = list(row)
    for board, row_id, from_pos, from_t, status, archived, prev_status, _ in changes:
        sums = held.get(row_id)
        if sums is None:
            sums = held[row_id] = [row_id, board, "", "", 0.0, from_t, from_pos, None, None, 0, 0, 1]
        view = boards.get(board)
        if view is None:
            sums[11] = 0  # no board to tell the categories by: not summed here (see the module note)
        now = category_in(view, status)
        before = None if prev_status is None else category_in(view, prev_status)
        if now == "doing" and sums[7] is None:
            sums[7] = from_t
        if now == "done" and before != "done":
            sums[8] = from_t
        if before == "done" and now != "done":
            sums[9] += 1
        sums[10] = from_pos * 4 + (2 if now == "done" else 0) + archived
    rows = []
    for row_id, view in items.items():
        sums = held.get(row_id)
        if sums is not None:  # an item always has a change with its first version
            sums[2], sums[3], sums[4] = view.key, view.kind, view.created
            rows.append(tuple(sums))
    sql.many(UPSERT, rows)


def clear(sql: Any) -> None:
    sql.run("DELETE FROM {s}")


def mark_filled(sql: Any) -> None:
    flow_rows.mark_flag(sql, FLAG)


def filled(sql: Any) -> bool:
    return flow_rows.has_flag(sql, FLAG)


def fill(sql: Any) -> int:
    """Make every item's sums from rm_flow (in the caller's write transaction), each board's
    categories as its current version has them; returns the rows made."""
    clear(sql)
    boards = _boards(sql)
    categories = {(board, status): category_in(boards.get(board), status)
                  for board, status in sql.all("SELECT DISTINCT board, status FROM {fh}")}
    text, params = sums_query({k: v for k, v in categories.items() if v != "todo"}, "1 = 1")
    sums = {row[0]: row[1:] for row in sql.all(text, params)}
    rows = []
    for chunk in sql.chunks("SELECT id, body FROM {c} WHERE tbl = 'items'"):
        for row_id, body in chunk:
            found = sums.get(row_id)
            if found is not None:
                facts = _FACTS.decode(bytes(body))
                rows.append((row_id, facts.board_id, facts.key, facts.kind, facts.created, *found,
                             int(facts.board_id in boards)))
    sql.many(UPSERT, rows)
    mark_filled(sql)
    return len(rows)
