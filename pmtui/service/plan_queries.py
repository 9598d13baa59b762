"""Sprint metrics' reads over ``rm_plan`` (the items' sprint and points changes,
pmtui/store/plan_rows.py): which items a sprint ever held, and an item's points at any event.
Each answers ``NotImplemented`` when the table cannot (a store made before it, opened
read-only; PostgreSQL stores made before it), and the metric reads the versions instead."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from pmtui.service import flow_queries
from pmtui.store import plan_rows
from pmtui.store.readmodel import Point, ReadModel

_IDS_PER_QUERY = 500


def ready(model: ReadModel) -> bool:
    return flow_queries.filled_once(model, "_plan_ready", plan_rows, plan_rows.plan_ddl,
                                    "storing the items' sprint and points changes for the sprint charts")


def sprint_items(model: ReadModel, point: Point, sprint_id: str, end_t: float) -> set[str] | Any:
    """Every item put in the sprint by ``end_t`` (as of the point), whether or not it stayed:
    the items whose versions held in the sprint at some moment up to then are among them."""
    if not ready(model):
        return NotImplemented
    cut, params = flow_queries.cut(point)
    return {row_id for (row_id,) in model.query(
        f"SELECT DISTINCT id FROM {{p}} WHERE sprint = ? AND from_t <= ? AND {cut}",
        [sprint_id, max(min(end_t, 1.7e308), -1.7e308), *params])}


class PointsAt:
    """Items' points at any event (as of the point): each item's rows in (time, number) order."""

    def __init__(self, model: ReadModel, point: Point, ids: Iterable[str]) -> None:
        cut, params = flow_queries.cut(point)
        wanted = sorted(set(ids))
        self.rows: dict[str, list[tuple[float, int, Any]]] = {}
        for n in range(0, len(wanted), _IDS_PER_QUERY):
            part = wanted[n:n + _IDS_PER_QUERY]
            for row_id, from_t, from_pos, points in model.query(
                    f"SELECT id, from_t, from_pos, points FROM {{p}} WHERE id IN ({', '.join('?' * len(part))}) "
                    f"AND {cut}", [*part, *params]):
                self.rows.setdefault(row_id, []).append((from_t, from_pos, points))
        for chain in self.rows.values():
            chain.sort(key=lambda r: (r[0], r[1]))

    def at(self, row_id: str, t: float, pos: int) -> tuple[bool, float]:
        """(whether the item existed right after event ``pos`` at time ``t``, its points then)."""
        chain = self.rows.get(row_id)
        if not chain:
            return False, 0.0
        n = bisect.bisect_right(chain, (t, pos), key=lambda r: (r[0], r[1]))
        return (True, chain[n - 1][2] or 0) if n else (False, 0.0)


def points_at(model: ReadModel, point: Point, ids: Iterable[str]) -> PointsAt | Any:
    if not ready(model):
        return NotImplemented
    return PointsAt(model, point, ids)
