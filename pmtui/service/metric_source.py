"""The metrics' read interface (projections.metrics.MetricSource) over the store's tables.

Each call is one indexed query over ``rm_version`` or ``rm_entry`` (pmtui/store/readmodel.py), bounded
by the metric's window of time, and cut at the source's point:

- now: every version, open ones still open;
- as of event #N: versions opened by events up to #N (``from_pos <= N``); one closed by a later
  event was still open at #N, so it is returned open;
- as of moment T: versions opened by T (``from_t <= T``); one closed after T is returned open.

Item versions are decoded as ``ItemFacts`` (the fields metrics read), skipping their text.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable
from typing import Any

import msgspec

from pmtui.service import flow_queries
from pmtui.store.readmodel import Point, ReadModel, paused_gc
from projections.metrics.source import METRIC_TYPES, ItemFacts, Place, Span, Stamped
from projections.versions import ENTRY_TYPES, OPEN_POS, OPEN_T, decode_view

# Bound parameters per query (SQLite's default limit is 32766; stay far below it).
_IDS_PER_QUERY = 500


class StoreSource:
    """A MetricSource reading the store's read model at one point."""

    def __init__(self, model: ReadModel, point: Point, moment: float) -> None:
        self.model, self.point = model, point
        self._moment = moment
        self._decoders = {name: msgspec.msgpack.Decoder(kind) for name, kind in METRIC_TYPES.items()}
        self._rows: dict[str, dict[str, Any]] = {}

    @property
    def moment(self) -> float:
        return self._moment

    def _cut(self) -> tuple[str, list[Any], str, list[Any]]:
        """(condition on from, its parameters, condition "closed after the point", its parameters)."""
        if self.point.pos is not None:
            return "from_pos <= ?", [self.point.pos], "to_pos > ?", [self.point.pos]
        if self.point.moment is not None:
            return "from_t <= ?", [self.point.moment], "to_t > ?", [self.point.moment]
        return "1 = 1", [], "1 = 0", []

    def versions(self, table: str, start_t: float, end_t: float, grp: str | None = None,
                 ids: Iterable[str] | None = None) -> list[Span]:
        if ids is not None:
            wanted = list(dict.fromkeys(ids))
            out: list[Span] = []
            for n in range(0, len(wanted), _IDS_PER_QUERY):
                part = wanted[n:n + _IDS_PER_QUERY]
                out.extend(self._versions(table, start_t, end_t, grp, part))
            out.sort(key=lambda s: (s.from_t, s.from_pos))
            return out
        return self._versions(table, start_t, end_t, grp, None)

    def _versions(self, table: str, start_t: float, end_t: float, grp: str | None,
                  ids: list[str] | None) -> list[Span]:
        cut, cut_params, after, after_params = self._cut()
        where, params = ["tbl = ?"], [table]
        if grp is not None:
            where.append("grp = ?")
            params.append(grp)
        if ids is not None:
            where.append(f"id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        # Held at some moment of the window: opened by its end, closed at or after its start
        # (or closed only after the point, so open as far as the point knows).
        where.append(f"from_t <= ? AND (to_t >= ? OR {after}) AND {cut}")
        params.extend([_finite(end_t), _finite(start_t), *after_params, *cut_params])
        cond = " AND ".join(where)
        columns = "from_t, from_pos, to_t, to_pos, id, body"
        if ids is not None and not self.model.postgres:
            # Some rows by id: the history through its (tbl, id) index. SQLite's planner, with no
            # statistics, read every past version of the table for each 500 ids instead (velocity
            # at a million events: seconds per query).
            current = (f"(SELECT tbl, id, grp, from_pos, {OPEN_POS} AS to_pos, from_t, {OPEN_T!r} AS to_t, body "
                       "FROM {c})")
            rows = self.model.query(f"SELECT {columns} FROM {current} c WHERE {cond} UNION ALL SELECT {columns} "
                                    f"FROM {{h}} INDEXED BY rm_history_row WHERE {cond} ORDER BY 1, 2", [*params, *params])
        else:
            rows = self.model.query(f"SELECT {columns} FROM {{v}} WHERE {cond} ORDER BY from_t, from_pos", params)
        decode = self._decoders[table].decode
        pos, moment = self.point.pos, self.point.moment
        out = []
        with paused_gc():
            for from_t, from_pos, to_t, to_pos, row_id, body in rows:
                if (pos is not None and to_pos > pos) or (moment is not None and to_t > moment):
                    to_t, to_pos = OPEN_T, OPEN_POS
                out.append(Span(from_t, from_pos, to_t, to_pos, table, row_id, decode(bytes(body))))
        return out

    def item_places(self, board_id: str | None, end_t: float) -> list[Place]:
        """One pass over every item's versions in (item, number) order: the history through its
        id index merged with the current rows (both in id order: SQLite merges them, no
        sort), told apart by their columns alone, streamed a chunk at a time. A window function
        in SQL did the same comparison at three times the cost of the scan. The ``status``
        column is empty for archived items and epics (it counts WIP): their versions are read
        whole (a key lookup each). Places are sorted by (from_t, from_pos) at the end."""
        if flow_queries.ready(self.model):  # the stored column changes (pmtui/store/flow_rows.py)
            return flow_queries.places(self.model, self.point, board_id, end_t)
        cut, cut_params, _, _ = self._cut()
        where, params = ["tbl = 'items'", "from_t <= ?", cut], [_finite(end_t), *cut_params]
        if board_id is not None:
            where.append("grp = ?")
            params.append(board_id)
        cond = " AND ".join(where)
        # SQLite would read the history through its primary key (every body with it). Only stores
        # whose column changes are not stored come here (older ones, read-only): their versions in
        # (item, number) order through the id index.
        indexed = "" if self.model.postgres else " INDEXED BY rm_history_row"
        columns = "id, from_pos, from_t, status, grp"
        chunks = self.model.chunks(
            f"SELECT {columns}, CASE WHEN status IS NULL THEN (SELECT body FROM {{h}} b WHERE b.tbl = 'items' "
            f"AND b.to_pos = x.to_pos AND b.from_pos = x.from_pos AND b.id = x.id) END FROM {{h}} x{indexed} "
            f"WHERE {cond} UNION ALL SELECT {columns}, CASE WHEN status IS NULL THEN body END FROM {{c}} "
            f"WHERE {cond} ORDER BY 1, 2", [*params, *params])
        decode = self._decoders["items"].decode
        names: dict[str, str] = {}  # one string per column name and board, not one per place
        places: list[Place] = []
        add = places.append
        # Each item's versions come together, oldest first: a version is a place when it is the
        # item's first or last, or its column or board changed (archived items and epics: always).
        # The item's latest version while it is not a place yet: its time and number (no tuple
        # is made for the versions that change nothing, most of them).
        held_t: float | None = None
        held_pos = 0
        last_id, last_status, last_grp = None, None, None
        with paused_gc():
            for row_id, from_pos, from_t, status, grp, body in itertools.chain.from_iterable(chunks):
                if row_id != last_id:
                    if held_t is not None:  # the previous item's last version
                        add((held_t, held_pos, last_id, last_status, last_grp, False))
                    held_t = None
                    last_id = row_id
                    last_status = None if status is None else names.setdefault(status, status)
                    last_grp = names.setdefault(grp, grp)
                    add(_whole(from_t, from_pos, row_id, decode(body)) if body is not None
                        else (from_t, from_pos, row_id, last_status, last_grp, False))
                elif body is not None:
                    held_t = None
                    last_status, last_grp = None, grp
                    add(_whole(from_t, from_pos, last_id, decode(body)))
                elif status != last_status or grp != last_grp:
                    held_t = None
                    last_status, last_grp = names.setdefault(status, status), names.setdefault(grp, grp)
                    add((from_t, from_pos, last_id, last_status, last_grp, False))
                else:
                    held_t, held_pos = from_t, from_pos
            if held_t is not None:
                add((held_t, held_pos, last_id, last_status, last_grp, False))
            # By (from_t, from_pos), as two stable sorts of plain numbers: a sort of the tuples
            # themselves compares them element by element, three times slower.
            places.sort(key=_second)
            places.sort(key=_first)
        return places

    def counted_flow(self, tz: Any, board_id: str | None, first: Any) -> Any:
        """Cumulative flow from the stored counts (pmtui/service/flow_counts.py), or NotImplemented."""
        from pmtui.service import flow_counts

        return flow_counts.cumulative_flow(self, tz, board_id, first)

    def summed_flows(self, board_id: str | None) -> Any:
        """Every item's flow from the stored changes (pmtui/service/flow_items.py), or NotImplemented."""
        from pmtui.service import flow_items

        return flow_items.item_flows(self, board_id)

    def sprint_items(self, sprint_id: str, end_t: float) -> Any:
        """The items ever put in the sprint by ``end_t`` (pmtui/service/plan_queries.py), or NotImplemented."""
        from pmtui.service import plan_queries

        return plan_queries.sprint_items(self.model, self.point, sprint_id, end_t)

    def points_at(self, ids: Iterable[str]) -> Any:
        """The items' points at any event (pmtui/service/plan_queries.py), or NotImplemented."""
        from pmtui.service import plan_queries

        return plan_queries.points_at(self.model, self.point, ids)

    def entries(self, table: str, start_t: float, end_t: float, owner: str | None = None) -> list[Stamped]:
        assert table in ENTRY_TYPES
        cond, cut_params = self.point.entries()
        where, params = "tbl = ? AND t >= ? AND t <= ? AND " + cond, [table, _finite(start_t), _finite(end_t), *cut_params]
        if owner is not None:
            where += " AND owner = ?"
            params.append(owner)
        rows = self.model.query(f"SELECT t, seq, body FROM {{e}} WHERE {where} ORDER BY t, seq", params)
        return [Stamped(t, seq, decode_view(table, bytes(body))) for t, seq, body in rows]

    def rows(self, table: str) -> dict[str, Any]:
        found = self._rows.get(table)
        if found is None:
            text, params = self.point.versions("id, body", " AND tbl = ?", [table], intervals=self.model.intervals)
            decode = self._decoders[table].decode
            rows = self.model.query(text, params)
            with paused_gc():
                found = self._rows[table] = {row_id: decode(bytes(body)) for row_id, body in rows}
        return found


_first, _second = operator.itemgetter(0), operator.itemgetter(1)


def _whole(from_t: float, from_pos: int, row_id: str, view: ItemFacts) -> Place:
    """The place of an archived item's or an epic's version, read from its body."""
    return (from_t, from_pos, row_id, view.status, view.board_id, view.archived)


def _finite(t: float) -> float:
    """SQL has no infinities in every dialect: the ends of time as the largest doubles."""
    return max(min(t, 1.7e308), -1.7e308)


def store_source(model: ReadModel, point: Point, clock_now: float) -> StoreSource:
    """The source at ``point`` (now: at ``clock_now``, as the metrics' "today"). As of #N, the
    metrics' today is the latest effective time of the events up to it (or the clock, before any)."""
    if point.pos is not None:
        latest = model.query("SELECT MAX(t) FROM {l} WHERE seq <= ?", [point.pos])[0][0]
        return StoreSource(model, point, latest if latest is not None else clock_now)
    if point.moment is not None:
        return StoreSource(model, point, point.moment)
    # Now is the clock's moment: events dated in the future (a careless import) are not yet.
    return StoreSource(model, Point(moment=clock_now), clock_now)
