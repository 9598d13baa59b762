"""The flow metrics' reads over ``rm_flow`` (the items' column changes, pmtui/store/flow_rows.py).

``places`` answers ``MetricSource.item_places`` from the changes alone: one indexed range of a
board's rows in time order, no item version read or decoded. It leaves out the versions that
changed neither column nor archived flag (an item's last version, an epic's other versions),
which the walks of cumulative flow and cycle time skip anyway: such a place sets what is already
set (tests/storage/test_flow_places.py holds the metrics to a naive walk of every version).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pmtui.store import flow_rows
from pmtui.store.readmodel import Point, ReadModel, paused_gc
from projections.metrics.source import Place


def ready(model: ReadModel) -> bool:
    """Whether ``rm_flow`` holds every change; a SQLite store made before it gets it filled now,
    once (a write: False if the store is read-only, and the caller reads the versions instead)."""
    return filled_once(model, "_flow_ready", flow_rows, flow_rows.flow_ddl,
                       "storing the items' column changes for the flow charts")


def filled_once(model: ReadModel, memo: str, rows: Any, ddl: Any, saying: str) -> bool:
    """Whether a table of changes derived from the versions (``rows``: its module, with
    ``filled`` and ``fill``) holds every change; on SQLite one made before it is made (``ddl``)
    and filled now, once, saying so on a terminal. Remembered on the model as ``memo``."""
    known = getattr(model, memo, None)
    if known is not None:
        return known
    with model.sql() as sql:
        try:
            done = rows.filled(sql)
        except Exception:  # noqa: BLE001 - no table at all (a store opened read-only, never upgraded)
            done = False
        if not done and not model.postgres:
            done = _fill_sqlite(sql, rows, ddl, saying)
    setattr(model, memo, done)
    return done


def _fill_sqlite(sql: Any, rows: Any, ddl: Any, saying: str) -> bool:
    import sys

    try:
        sql.run("BEGIN IMMEDIATE")
    except sqlite3.Error:
        return False
    try:
        for statement in ddl(lambda name: name, False):
            sql.run(statement)
        if not rows.filled(sql):  # another process may have filled it meanwhile
            if sys.stderr.isatty():
                print(f"pmtui: {saying} (once for this store)…", file=sys.stderr, flush=True)
            rows.fill(sql)
        sql.run("COMMIT")
        return True
    except sqlite3.Error:
        sql.run("ROLLBACK")
        return False


def cut(point: Point) -> tuple[str, list[Any]]:
    """The rows valid at the point: changes are append-only on both axes (see flow_rows)."""
    if point.pos is not None:
        return "from_pos <= ?", [point.pos]
    if point.moment is not None:
        return "from_t <= ?", [point.moment]
    return "1 = 1", []


def places(model: ReadModel, point: Point, board_id: str | None, end_t: float) -> list[Place]:
    """``item_places`` from the changes (see the module note), sorted by (from_t, from_pos)."""
    where, params = cut(point)
    where += " AND from_t <= ?"
    params.append(max(min(end_t, 1.7e308), -1.7e308))
    if board_id is not None:
        where = "board = ? AND " + where
        params.insert(0, board_id)
    names: dict[str, str] = {}  # one string per column name and board, not one per place
    out: list[Place] = []
    add = out.append
    with paused_gc():
        for chunk in model.chunks(f"SELECT from_t, from_pos, id, status, board, archived FROM {{f}} WHERE {where} "
                                  "ORDER BY from_t, from_pos", params):
            for from_t, from_pos, row_id, status, board, archived in chunk:
                add((from_t, from_pos, row_id, names.setdefault(status, status), names.setdefault(board, board),
                     archived == 1))
    return out
