"""The items' sprint and estimate changes, stored: ``rm_plan``, one row per item version whose
``sprint`` or ``points`` differs from the item's version before it (its first version too).

Why: burndown and burnup need the items that were in one sprint, and velocity the points of a
sprint's done items when it closed. Neither is a column of the versions, so both read every item
version of the window, bodies decoded, to find a few hundred (a sprint's burndown at a million
events: 100k versions, a second and a half). Here the sprint's items are one range of an index
(``rm_plan_sprint``), and an item's points at any event one bisection of its few rows.

Append-only like the versions they follow (an item's versions never go back on either axis):
the rows valid "as of #N" are those with ``from_pos <= N``, "as of T" those with ``from_t <= T``.

Written in the same transaction as the versions: ``live_rows`` by ``write_batch`` (each item's
state before the batch is its latest row here), ``BulkPlan`` by the bulk fold (``pmtui rebuild``,
a demo: the fold hands over its closed versions' rows, ``fold_rows``), ``fill`` once for a store
made before the table (flagged in ``rm_meta`` as ``plan``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec

from pmtui.store import flow_rows

FLAG = "plan"  # rm_meta's name for "rm_plan holds every change of the log so far"
INSERT = "INSERT INTO {p} (id, from_pos, from_t, sprint, points) VALUES (?, ?, ?, ?, ?)"
Row = tuple[str, int, float, Any, Any]  # (item id, from_pos, from_t, sprint, points)


class _Plan(msgspec.Struct, gc=False):
    """The fields of a stored item version this table follows (the rest of the body is skipped)."""

    sprint: str | None = None
    points: float | None = None


_PLAN = msgspec.msgpack.Decoder(_Plan)


def plan_ddl(t: Callable[[str], str], postgres: bool) -> list[str]:
    """The table and its index (``t`` qualifies a name, as in ``readmodel.ddl``)."""
    text, real, big = ("text", "double precision", "bigint") if postgres else ("TEXT", "REAL", "INTEGER")
    clustered = "" if postgres else " WITHOUT ROWID"
    p = t("rm_plan")
    return [
        # Clustered by item, then number: an item's rows (its points at an event) lie together.
        f"CREATE TABLE IF NOT EXISTS {p} (id {text} NOT NULL, from_pos {big} NOT NULL, from_t {real} NOT NULL, "
        f"sprint {text}, points {real}, PRIMARY KEY (id, from_pos)){clustered}",
        # A sprint's items: the rows that put an item in it, by time.
        f"CREATE INDEX IF NOT EXISTS rm_plan_sprint ON {p} (sprint, from_t, from_pos, id) WHERE sprint IS NOT NULL",
    ]


def live_rows(sql: Any, versions: Iterable[Any]) -> list[Row]:
    """The rows of a fold's item versions (``projections.versions.Version``, in fold order), each
    compared with the item's version before it: in the batch, else its latest stored row."""
    chains = flow_rows.item_chains(versions)
    if not chains:
        return []
    before = flow_rows.latest_rows(sql, "p", "sprint, points", list(chains))
    out: list[Row] = []
    for row_id, chain in chains.items():
        prev: Any = before.get(row_id, _NONE)
        for v in chain:
            state = (v.view.sprint, v.view.points)
            if state != prev:
                out.append((row_id, v.seq, v.t, *state))
                prev = state
    return out


_NONE = object()  # no version before: the item's first version always makes a row


class BulkPlan:
    """The rows of a bulk fold: ``fold_rows`` makes those of its closed versions (where the views
    are at hand, in the fold's process, the worker's if any), ``seen`` follows them here, and
    ``tap`` adds those of the current rows at the end (their bodies decoded: one per item)."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[Any, Any]] = {}
        self.pending: list[Row] = []

    def seen(self, rows: Iterable[Row]) -> None:
        last = self.last
        for row_id, _, _, sprint, points in rows:
            last[row_id] = (sprint, points)

    def tap(self, current: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """The current rows (tbl, id, from_pos, from_t, grp, key, status, rank, ord, body), passed
        on as they are; their changes wait in ``pending``."""
        last, add = self.last, self.pending.append
        for row in current:
            if row[0] == "items":
                plan = _PLAN.decode(row[9])
                state = (plan.sprint, plan.points)
                if last.get(row[1], _NONE) != state:
                    add((row[1], row[2], row[3], *state))
            yield row

    def take(self) -> list[Row]:
        out, self.pending = self.pending, []
        return out


def fold_rows(fold: Any, closed: Iterable[tuple[Any, ...]]) -> list[Row]:
    """The rows of a bulk fold's closed versions (``LogFold.apply``'s, in closing order: each
    item's in order), against the item's last row made by this fold (kept on the fold)."""
    last = fold.__dict__.get("_plan_last")
    if last is None:
        last = fold.__dict__["_plan_last"] = {}
    out: list[Row] = []
    for table, row_id, from_pos, _, from_t, _, view in closed:
        if table == "items":
            state = (view.sprint, view.points)
            if last.get(row_id, _NONE) != state:
                last[row_id] = state
                out.append((row_id, from_pos, from_t, *state))
    return out


def clear(sql: Any) -> None:
    sql.run("DELETE FROM {p}")


def mark_filled(sql: Any) -> None:
    flow_rows.mark_flag(sql, FLAG)


def filled(sql: Any) -> bool:
    return flow_rows.has_flag(sql, FLAG)


def fill(sql: Any) -> int:
    """Make the rows of every item version stored (a store made before the table), in the caller's
    write transaction: the history in its own order (by the event that closed each version: an
    item's versions in their order, interleaved with the others'), then the current rows, each
    compared with the item's last state met. Returns the rows made."""
    clear(sql)
    last: dict[str, tuple[Any, Any]] = {}
    rows: list[Row] = []
    for query in ("SELECT id, from_pos, from_t, body FROM {h} WHERE tbl = 'items'",
                  "SELECT id, from_pos, from_t, body FROM {c} WHERE tbl = 'items'"):
        for chunk in sql.chunks(query):
            for row_id, from_pos, from_t, body in chunk:
                plan = _PLAN.decode(bytes(body))
                state = (plan.sprint, plan.points)
                if last.get(row_id, _NONE) != state:
                    last[row_id] = state
                    rows.append((row_id, from_pos, from_t, *state))
    rows.sort(key=_item_order)  # inserted in the table's order, not all over it
    sql.many(INSERT, rows)
    mark_filled(sql)
    return len(rows)


def _item_order(row: Row) -> tuple[str, int]:
    return row[0], row[1]
