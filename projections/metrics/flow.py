"""Cumulative flow and work in progress: how many items sat in each board column at the end of each
local day.

Counted: the board's items that are not archived, plus archived items that were done when archived
(tidying the Done column must not make delivered work vanish from the chart). An item archived
before it was done was abandoned: it leaves the chart from that day.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable
from datetime import date
from typing import Any

import msgspec

from projections.metrics.days import Zone, day_end, day_of, days
from projections.metrics.source import MetricSource


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


_first, _first_two = operator.itemgetter(0), operator.itemgetter(0, 1)


def category_in(board: Any, status: str) -> str:
    """todo, doing or done: the category of a column of ``board`` (a version of it, or None)
    as ``Walk.category`` tells it. A status with no column (a removed one) counts as todo."""
    column = board.column(status) if board is not None else None
    return column["category"] if column else "todo"



def charted_board(boards: list[Any], board_id: str | None) -> str | None:
    """The board a flow chart shows: ``board_id`` if it existed by then, else the first board
    made; None when there is none. ``boards``: the boards' versions up to the chart's moment."""
    created_boards = {s.id: s for s in reversed(boards)}  # each board's first version
    board_id = board_id or (min(created_boards.values(), key=lambda s: (s.from_t, s.from_pos)).id
                            if created_boards else None)
    return board_id if board_id in created_boards else None

def cumulative_flow(source: MetricSource, tz: Zone = None, board_id: str | None = None,
                    first: date | None = None) -> CumulativeFlow | None:
    """Items per column per day, from the board's first item (or ``first``) to the as-of day: a
    walk over the places of the board's items and the versions of the board, in the order they
    occurred. Each item counts in the column of its latest place (see ``counted``); a new version
    of the board (a column's category changed) places every item again. A source that keeps
    counts per day (``counted_flow``: the store's) answers from them instead, the same result."""
    counted = getattr(source, "counted_flow", None)
    if counted is not None:
        found = counted(tz, board_id, first)
        if found is not NotImplemented:
            return found
    as_of = source.moment
    boards = source.versions("boards", float("-inf"), as_of)
    board_id = charted_board(boards, board_id)
    if board_id is None:
        return None
    places = source.item_places(board_id, as_of)
    if first is not None:
        start = first
    elif places:
        start = day_of(places[0][0], tz)  # the first item's creation (places come in time order)
    else:  # no items yet: from the first thing that happened in the workspace
        products = source.versions("products", float("-inf"), as_of)
        start = day_of(min(s.from_t for s in [*products, *boards]), tz)
    mine = [s for s in boards if s.id == board_id]
    board: Any = None  # the board's version as the walk stands
    categories: dict[str, str] = {}  # status -> its category on ``board`` (asked once a version)
    items: dict[str, tuple[str, bool]] = {}  # every item met: (status, archived), in order met
    where: dict[str, tuple[str, str]] = {}  # counted item -> (column, category)
    counts: dict[str, int] = {}
    seen: dict[str, str] = {}  # every column named so far -> its category, board order first
    wip = 0

    def place(moves: Iterable[tuple[str, str, bool]]) -> None:
        """Count items in their (new) columns: live, or archived once done (see ``counted``).
        One loop for a run of places (a few hundred thousand at a million events)."""
        nonlocal wip
        for item_id, status, archived in moves:
            old = where.pop(item_id, None)
            if old is not None:
                counts[old[0]] -= 1
                if old[1] == "doing":
                    wip -= 1
            category = categories.get(status)
            if category is None:
                category = categories[status] = category_in(board, status)
            if not archived or category == "done":
                where[item_id] = (status, category)
                counts[status] = counts.get(status, 0) + 1
                if category == "doing":
                    wip += 1
                if status not in seen:
                    seen[status] = category

    def advance(upto: int) -> None:
        """Apply the places before index ``upto``."""
        nonlocal n
        run = [(p[2], p[3], p[5]) for p in places[n:upto]]
        for item_id, status, archived in run:
            items[item_id] = (status, archived)
        place(run)
        n = upto

    n, b = 0, 0
    samples: list[tuple[date, dict[str, int], int]] = []
    for day in days(start, day_of(as_of, tz)):
        end = day_end(day, tz)
        before_end = bisect.bisect_left(places, end, lo=n, key=_first)  # places with from_t < end
        while b < len(mine) and mine[b].from_t < end:  # a board's new version, in walk order
            version = mine[b]
            b += 1
            # At the same (time, number) a place goes first, as a stable sort puts it.
            advance(bisect.bisect_right(places, (version.from_t, version.from_pos), lo=n, hi=before_end,
                                        key=_first_two))
            board, categories = version.view, {}
            for col in board.columns:
                seen.setdefault(col["name"], col["category"])
            # A column's category may have changed: place every item of the board again.
            place([(item_id, status, archived) for item_id, (status, archived) in items.items()])
        advance(before_end)
        samples.append((day, dict(counts), wip))
    if not samples or board is None:
        return None
    order = board.column_names + [c for c in seen if c not in board.column_names]
    categories_out = [board.column(c)["category"] if board.column(c) else seen[c] for c in order]
    days_out = [FlowDay(day, [counts.get(c, 0) for c in order], wip) for day, counts, wip in samples]
    return CumulativeFlow(board.name, order, categories_out, days_out)
