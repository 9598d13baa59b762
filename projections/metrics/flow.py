"""Cumulative flow and work in progress: how many items sat in each board column at the end of each
local day.

Counted: the board's items that are not archived, plus archived items that were done when archived
(tidying the Done column must not make delivered work vanish from the chart). An item archived
before it was done was abandoned: it leaves the chart from that day.
"""

from __future__ import annotations

from datetime import date

import msgspec

from projections.metrics.days import Zone, day_of
from projections.metrics.replay import category_of, daily, in_time_order
from projections.records import EventRecord
from projections.state import ItemView, Workspace


class FlowDay(msgspec.Struct, frozen=True):
    day: date
    counts: list[int]  # one per column of CumulativeFlow.columns
    wip: int  # items in doing-category columns


class CumulativeFlow(msgspec.Struct, frozen=True):
    board: str
    columns: list[str]  # board order, todo first
    categories: list[str]
    days: list[FlowDay]

    def series(self, column: str) -> list[int]:
        index = self.columns.index(column)
        return [d.counts[index] for d in self.days]


def counted(ws: Workspace, item: ItemView) -> bool:
    """Is the item on the chart: live, or archived once done (see the module note)."""
    if not item.archived:
        return True
    return category_of(ws, item) == "done"


def _board_id(ws: Workspace, board_id: str | None) -> str | None:
    if board_id is not None:
        return board_id
    return next(iter(ws.boards), None)


def cumulative_flow(records: list[EventRecord], as_of: float, tz: Zone = None, board_id: str | None = None,
                    first: date | None = None) -> CumulativeFlow | None:
    """Items per column per day, from the board's first item (or ``first``) to the ``as_of`` day."""
    ordered = in_time_order(records, as_of)
    if not ordered:
        return None
    boards = [r.aggregate_id for r in ordered if r.name == "Board.Created"]
    board_id = board_id or (boards[0] if boards else None)
    if board_id not in boards:
        return None
    created = [r.occurred for r in ordered if r.name == "WorkItem.Created" and r.data.get("board_id") == board_id]
    start = first or day_of(created[0] if created else ordered[0].occurred, tz)
    last = day_of(as_of, tz)
    samples: list[tuple[date, dict[str, int], int]] = []
    columns: dict[str, str] = {}  # every column name seen, with its category: board order first
    ws = None
    for day, ws in daily(ordered, start, last, tz):
        board = ws.boards.get(board_id)
        if board is None:
            samples.append((day, {}, 0))
            continue
        for col in board.columns:
            columns.setdefault(col["name"], col["category"])
        counts: dict[str, int] = {}
        wip = 0
        for item in ws.items.values():
            if item.board_id == board_id and counted(ws, item):
                counts[item.status] = counts.get(item.status, 0) + 1
                category = category_of(ws, item)
                columns.setdefault(item.status, category)
                wip += category == "doing"
        samples.append((day, counts, wip))
    assert ws is not None
    board = ws.boards[board_id]
    order = board.column_names + [c for c in columns if c not in board.column_names]
    categories = [columns.get(c, "todo") for c in order]
    days_out = [FlowDay(day, [counts.get(c, 0) for c in order], wip) for day, counts, wip in samples]
    return CumulativeFlow(board.name, order, categories, days_out)
