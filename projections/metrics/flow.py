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


class _ColumnCounts:
    """Items per column of one board, kept up to date event by event (a day's sample is then a copy
    of a few numbers, not a scan of every item)."""

    def __init__(self, board_id: str) -> None:
        self.board_id = board_id
        self.where: dict[str, tuple[str, str]] = {}  # counted item -> (column, category)
        self.counts: dict[str, int] = {}
        self.wip = 0
        self.seen: dict[str, str] = {}  # every column named so far -> its category, board order first

    def _place(self, ws: Workspace, item: ItemView) -> None:
        old = self.where.pop(item.id, None)
        if old is not None:
            self.counts[old[0]] -= 1
            self.wip -= old[1] == "doing"
        if counted(ws, item):
            category = category_of(ws, item)
            self.where[item.id] = (item.status, category)
            self.counts[item.status] = self.counts.get(item.status, 0) + 1
            self.wip += category == "doing"
            self.seen.setdefault(item.status, category)

    def __call__(self, record: EventRecord, _before: ItemView | None, ws: Workspace) -> None:
        if record.name.startswith("WorkItem."):
            item = ws.items.get(record.aggregate_id)
            if item is not None and item.board_id == self.board_id:
                self._place(ws, item)
        elif record.name.startswith("Board.") and record.aggregate_id == self.board_id:
            board = ws.boards[self.board_id]
            for col in board.columns:
                self.seen.setdefault(col["name"], col["category"])
            # A column's category may have changed: place every item of the board again.
            for item in ws.items.values():
                if item.board_id == self.board_id:
                    self._place(ws, item)


def cumulative_flow(records: list[EventRecord], as_of: float, tz: Zone = None, board_id: str | None = None,
                    first: date | None = None) -> CumulativeFlow | None:
    """Items per column per day, from the board's first item (or ``first``) to the ``as_of`` day."""
    ordered = in_time_order(records, as_of)
    boards = [r.aggregate_id for r in ordered if r.name == "Board.Created"]
    board_id = board_id or (boards[0] if boards else None)
    if board_id is None or board_id not in boards:
        return None
    created = [r.occurred for r in ordered if r.name == "WorkItem.Created" and r.data.get("board_id") == board_id]
    start = first or day_of(created[0] if created else ordered[0].occurred, tz)
    counter = _ColumnCounts(board_id)
    samples: list[tuple[date, dict[str, int], int]] = []
    ws: Workspace | None = None
    for day, ws in daily(ordered, start, day_of(as_of, tz), tz, counter):
        samples.append((day, dict(counter.counts), counter.wip))
    board = ws.boards.get(board_id) if ws is not None else None
    if board is None:
        return None
    order = board.column_names + [c for c in counter.seen if c not in board.column_names]
    categories = [board.column(c)["category"] if board.column(c) else counter.seen[c] for c in order]
    days_out = [FlowDay(day, [counts.get(c, 0) for c in order], wip) for day, counts, wip in samples]
    return CumulativeFlow(board.name, order, categories, days_out)
