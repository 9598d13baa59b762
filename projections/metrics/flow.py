"""Cumulative flow and work in progress: how many items sat in each board column at the end of each
local day.

Counted: the board's items that are not archived, plus archived items that were done when archived
(tidying the Done column must not make delivered work vanish from the chart). An item archived
before it was done was abandoned: it leaves the chart from that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from projections.metrics.days import Zone, day_end, day_of, days
from projections.metrics.source import MetricSource, Span
from projections.metrics.walk import Walk, merged


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


def counted(walk: Walk, item: Any) -> bool:
    """Is the item on the chart: live, or archived once done (see the module note)."""
    if not item.archived:
        return True
    return walk.category(item) == "done"


class _ColumnCounts:
    """Items per column of one board, kept up to date version by version (a day's sample is then
    a copy of a few numbers, not a scan of every item)."""

    def __init__(self, board_id: str) -> None:
        self.board_id = board_id
        self.where: dict[str, tuple[str, str]] = {}  # counted item -> (column, category)
        self.counts: dict[str, int] = {}
        self.wip = 0
        self.seen: dict[str, str] = {}  # every column named so far -> its category, board order first

    def _place(self, walk: Walk, item: Any) -> None:
        old = self.where.pop(item.id, None)
        if old is not None:
            self.counts[old[0]] -= 1
            self.wip -= old[1] == "doing"
        if counted(walk, item):
            category = walk.category(item)
            self.where[item.id] = (item.status, category)
            self.counts[item.status] = self.counts.get(item.status, 0) + 1
            self.wip += category == "doing"
            self.seen.setdefault(item.status, category)

    def __call__(self, span: Span, _before: Any, walk: Walk) -> None:
        if span.table == "items":
            if span.view.board_id == self.board_id:
                self._place(walk, span.view)
        elif span.table == "boards" and span.id == self.board_id:
            for col in span.view.columns:
                self.seen.setdefault(col["name"], col["category"])
            # A column's category may have changed: place every item of the board again.
            for item in walk.table("items").values():
                if item.board_id == self.board_id:
                    self._place(walk, item)


def cumulative_flow(source: MetricSource, tz: Zone = None, board_id: str | None = None,
                    first: date | None = None) -> CumulativeFlow | None:
    """Items per column per day, from the board's first item (or ``first``) to the as-of day: a
    walk over the versions of the board and of its items."""
    as_of = source.moment
    boards = source.versions("boards", float("-inf"), as_of)
    created_boards = {s.id: s for s in reversed(boards)}  # each board's first version
    board_id = board_id or (min(created_boards.values(), key=lambda s: (s.from_t, s.from_pos)).id
                            if created_boards else None)
    if board_id is None or board_id not in created_boards:
        return None
    items = source.item_moves(board_id, as_of)
    if first is not None:
        start = first
    elif items:
        start = day_of(items[0].from_t, tz)  # the first item's creation (versions come in time order)
    else:  # no items yet: from the first thing that happened in the workspace
        products = source.versions("products", float("-inf"), as_of)
        start = day_of(min(s.from_t for s in [*products, *boards]), tz)
    mine = [s for s in boards if s.id == board_id]
    counter = _ColumnCounts(board_id)
    walk = Walk(merged(items, mine), counter)
    samples: list[tuple[date, dict[str, int], int]] = []
    for day in days(start, day_of(as_of, tz)):
        walk.until(day_end(day, tz))
        samples.append((day, dict(counter.counts), counter.wip))
    board = walk.table("boards").get(board_id) if samples else None
    if board is None:
        return None
    order = board.column_names + [c for c in counter.seen if c not in board.column_names]
    categories = [board.column(c)["category"] if board.column(c) else counter.seen[c] for c in order]
    days_out = [FlowDay(day, [counts.get(c, 0) for c in order], wip) for day, counts, wip in samples]
    return CumulativeFlow(board.name, order, categories, days_out)
