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

from collections.abc import Iterable
from typing import Any

import msgspec

from pmtui.store.readmodel import Point, ReadModel, paused_gc
from projections.metrics.source import METRIC_TYPES, ItemFacts, Span, Stamped, moved_view
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
        rows = self.model.query(
            f"SELECT from_t, from_pos, to_t, to_pos, id, body FROM {{v}} WHERE {' AND '.join(where)} "
            "ORDER BY from_t, from_pos", params)
        decode = self._decoders[table].decode
        pos, moment = self.point.pos, self.point.moment
        out = []
        with paused_gc():
            for from_t, from_pos, to_t, to_pos, row_id, body in rows:
                if (pos is not None and to_pos > pos) or (moment is not None and to_t > moment):
                    to_t, to_pos = OPEN_T, OPEN_POS
                out.append(Span(from_t, from_pos, to_t, to_pos, table, row_id, decode(bytes(body))))
        return out

    def item_moves(self, board_id: str | None, end_t: float) -> list[Span]:
        """One query over the covering index of the items' versions: a window over each item's
        versions keeps the first, the last, and those whose column or board differ from the
        version before, told by their columns alone. The ``status`` column is empty for archived
        items and epics (it counts WIP): their versions are all kept and read whole (a key
        lookup each). Every other version is the item as of the point (``rows``: one read of the
        versions valid then) at that version's place (see ``MetricSource.item_moves``)."""
        cut, cut_params, _, _ = self._cut()
        where, params = ["tbl = 'items'", "from_t <= ?", cut], [_finite(end_t), *cut_params]
        if board_id is not None:
            where.append("grp = ?")
            params.append(board_id)
        cond = " AND ".join(where)
        # SQLite would read the history through its primary key (every body with it).
        indexed = "" if self.model.postgres else " INDEXED BY rm_history_flow"
        columns = "from_t, from_pos, to_t, to_pos, id, status, grp"
        differs = "IS DISTINCT FROM" if self.model.postgres else "IS NOT"  # NULL-safe
        rows = self.model.query(
            f"SELECT {columns}, "
            "CASE WHEN status IS NULL THEN (SELECT body FROM {v} b WHERE b.tbl = 'items' AND b.id = x.id "
            f"AND b.from_pos = x.from_pos) END FROM (SELECT {columns}, ROW_NUMBER() OVER w AS n, "
            "LEAD(from_pos) OVER w AS nxt, LAG(status) OVER w AS ps, LAG(grp) OVER w AS pg FROM ("
            f"SELECT {columns} FROM {{h}}{indexed} WHERE {cond} UNION ALL "
            f"SELECT from_t, from_pos, {OPEN_T!r}, {OPEN_POS}, id, status, grp FROM {{c}} WHERE {cond}) y "
            "WINDOW w AS (PARTITION BY id ORDER BY from_pos)) x "
            f"WHERE n = 1 OR nxt IS NULL OR status IS NULL OR ps {differs} status OR pg <> grp "
            "ORDER BY from_t, from_pos", [*params, *params])
        decode = self._decoders["items"].decode
        current = self.rows("items")
        pos, moment = self.point.pos, self.point.moment
        out = []
        with paused_gc():
            for from_t, from_pos, to_t, to_pos, row_id, status, grp, body in rows:
                if (pos is not None and to_pos > pos) or (moment is not None and to_t > moment):
                    to_t, to_pos = OPEN_T, OPEN_POS
                view = decode(bytes(body)) if body is not None else moved_view(current[row_id], status, grp)
                out.append(Span(from_t, from_pos, to_t, to_pos, "items", row_id, view))
        return out

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
