"""A live index of the boards' items, for the commands that act on "now".

Ranking, adding and moving a card need a board's order (the nearest peers of an item, the lowest
and highest rank) and a column's WIP count. Scanning the workspace for them costs O(items) per
command (tens of milliseconds at 100k items); this index answers them from a sorted list per board
and a count per column, and is kept up to date with the events as they are folded:

    index = BoardIndex(ws)                       # one O(n log n) pass
    timeline.append(index.watch(records))        # notes which items the records touch
    index.catch_up(ws)                           # re-indexes exactly those, by bisection

It serves only the live workspace: as-of views are folded on demand and read through the
projections' plain scans (``count_in_column``, ``neighbours_rank``), which stay the reference.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from projections.records import EventRecord
from projections.state import ItemView, Workspace

# (rank, creation ordinal, item id): a board's order. Ties in rank (a scoped "up" past the top of
# a column can make one) keep the items' creation order, as the projections' stable sorts by rank do.
Entry = tuple[str, int, str]
Direction = Literal["up", "down"]  # up: towards the top of the board (lower ranks)
ColumnKey = tuple[str, str]  # (board id, column name)

# The fold changes ``Workspace.items`` only on these events, always for the record's aggregate.
ITEM_EVENTS = "WorkItem."
CREATED = "WorkItem.Created"


def counted_in(view: ItemView) -> ColumnKey | None:
    """The column whose WIP count the item adds to; None if it counts nowhere (the rule of
    ``projections.board_view.count_in_column``: archived items and epics are not cards)."""
    if view.archived or view.kind == "epic":
        return None
    return (view.board_id, view.status)


class BoardIndex:
    """Every board's items in rank order (archived ones included), and WIP counts per column."""

    def __init__(self, ws: Workspace) -> None:
        self.views: dict[str, ItemView] = dict(ws.items)  # the view each item was last indexed as
        # The position of each item in ``Workspace.items``, which the fold fills in creation order.
        self.ordinals: dict[str, int] = {item_id: n for n, item_id in enumerate(self.views)}
        self.order: dict[str, list[Entry]] = {}  # board id -> entries, sorted
        self.counts: dict[ColumnKey, int] = {}  # only columns holding cards
        self.position = ws.position  # the last event the index has caught up with
        self._touched: set[str] = set()  # items named by watched records, not yet caught up
        self._created: list[str] = []  # items created by watched records, in log order
        for view in self.views.values():
            self.order.setdefault(view.board_id, []).append(self.entry(view))
            self._count(view, +1)
        for entries in self.order.values():
            entries.sort()

    # Keeping up with the fold -------------------------------------------------------------------
    def watch(self, records: Iterable[EventRecord]) -> Iterator[EventRecord]:
        """Pass the records through, noting the items they touch (for ``catch_up``)."""
        touched, created = self._touched, self._created
        for record in records:
            if record.name.startswith(ITEM_EVENTS):
                touched.add(record.aggregate_id)
                if record.name == CREATED:
                    created.append(record.aggregate_id)
            yield record

    def catch_up(self, ws: Workspace) -> int:
        """Re-index the noted items whose view in ``ws`` was replaced; returns how many."""
        ordinals = self.ordinals
        for item_id in self._created:
            if item_id not in ordinals and item_id in ws.items:
                ordinals[item_id] = len(ordinals)
        self._created.clear()
        changed = 0
        items = ws.items
        for item_id in self._touched:
            old, new = self.views.get(item_id), items.get(item_id)
            if new is old:  # views are immutable: the same object is the same state
                continue
            if old is None:  # (created by a record the watch missed: it comes last all the same)
                self.ordinals.setdefault(item_id, len(self.ordinals))
            self._replace(old, new)
            changed += 1
        self._touched.clear()
        self.position = ws.position
        return changed

    def _replace(self, old: ItemView | None, new: ItemView | None) -> None:
        # Most changes (edits, comments, moves) keep the rank: the entry then stays where it is.
        if old is None or new is None or old.rank != new.rank or old.board_id != new.board_id:
            if old is not None:
                self._unorder(old)
            if new is not None:
                insort(self.order.setdefault(new.board_id, []), self.entry(new))
        if old is not None:
            self._count(old, -1)
            del self.views[old.id]
        if new is not None:
            self._count(new, +1)
            self.views[new.id] = new

    def entry(self, view: ItemView) -> Entry:
        return (view.rank, self.ordinals[view.id], view.id)

    def _unorder(self, view: ItemView) -> None:
        entries, key = self.order[view.board_id], self.entry(view)
        at = bisect_left(entries, key)
        if at == len(entries) or entries[at] != key:
            raise LookupError(f"item {view.id} is not indexed at rank {view.rank!r}")
        del entries[at]

    def _count(self, view: ItemView, step: int) -> None:
        column = counted_in(view)
        if column is not None:
            count = self.counts.get(column, 0) + step
            if count:
                self.counts[column] = count
            else:
                del self.counts[column]

    # Queries ------------------------------------------------------------------------------------
    def count(self, board_id: str, column: str) -> int:
        """Cards (not archived, not epics) in a board's column."""
        return self.counts.get((board_id, column), 0)

    def extremes(self, board_id: str) -> tuple[str | None, str | None]:
        """The lowest and highest ranks in use on a board, archived items included."""
        entries = self.order.get(board_id)
        return (entries[0][0], entries[-1][0]) if entries else (None, None)

    def ordered(self, board_id: str) -> Iterator[ItemView]:
        """A board's items, top to bottom."""
        views = self.views
        return (views[item_id] for _, _, item_id in self.order.get(board_id, ()))

    def nearest(self, board_id: str, start: str | None, direction: Direction,
                keep: Callable[[ItemView], bool], n: int = 1) -> list[ItemView]:
        """Up to ``n`` items nearest to ``start`` (an item id, excluded) in ``direction`` that
        ``keep`` accepts, nearest first. Without ``start`` the walk begins at the board's edge:
        the top when walking down, the bottom when walking up.

        The walk stops at the n-th accepted item, so it costs the distance to it, not the board."""
        entries = self.order.get(board_id, [])
        step = 1 if direction == "down" else -1
        if start is None:
            at = -1 if step == 1 else len(entries)
        else:
            at = self._position(board_id, start)
        views, found = self.views, []
        for index in range(at + step, len(entries) if step == 1 else -1, step):
            view = views[entries[index][2]]
            if keep(view):
                found.append(view)
                if len(found) == n:
                    break
        return found

    def _position(self, board_id: str, item_id: str) -> int:
        view = self.views.get(item_id)
        if view is None or view.board_id != board_id:
            raise LookupError(f"item {item_id} is not on board {board_id}")
        return bisect_left(self.order[board_id], self.entry(view))
