"""The board's columns kept sorted between frames, updated by what changed.

Building a board from scratch sorts every item of the board (≈100 ms at 50,000 items). Between two
frames — a time-travel step, a live update, one's own move — only a few items change, and the
workspace's views are immutable and shared between states, so "changed" is "not the same object".
One pass of identity checks (a few ms) finds them; each is moved within its column by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from operator import attrgetter
from collections.abc import Callable, Iterator, Sequence
from typing import overload

from projections.board_view import BoardSnapshot, ColumnView, default_board
from projections.state import ItemView, Workspace

Keep = Callable[[ItemView], bool]
REBUILD_AFTER = 2000  # changed items beyond which a full rebuild is cheaper than moving each
# changes(before, after) -> ids of everything that may differ between the workspace last seen
# (its position and count) and ``after``; None when unknown (then every item is compared).
Changes = Callable[[tuple[int, int], Workspace], "set[str] | None"]


Entry = tuple[str, str, ItemView]  # (rank, id, item): ordered by rank, ids break ties


class Cards(Sequence[ItemView]):
    """A column's cards in rank order, read straight from the cache's sorted entries (no copy of
    tens of thousands of cards per frame). Valid until the cache's next ``snapshot``."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> ItemView: ...
    @overload
    def __getitem__(self, index: slice) -> list[ItemView]: ...
    def __getitem__(self, index: int | slice) -> ItemView | list[ItemView]:
        if isinstance(index, slice):
            return [entry[2] for entry in self.entries[index]]
        return self.entries[index][2]

    def __iter__(self) -> Iterator[ItemView]:
        return (entry[2] for entry in self.entries)

    def index_of(self, item: ItemView) -> int | None:
        at = bisect_left(self.entries, (item.rank, item.id))
        if at < len(self.entries) and self.entries[at][1] == item.id:
            return at
        return None


def _entry(item: ItemView) -> Entry:
    return item.rank, item.id, item


class BoardCache:
    """``snapshot(ws, keep, scope)``: the board as ``board_view`` builds it (cards in rank order,
    epics left out), restricted to the items ``keep`` accepts. ``scope`` names the restriction: a
    new scope rebuilds from scratch, the same scope updates incrementally."""

    def __init__(self) -> None:
        self.scope: object = None
        self.board_id: str | None = None
        self.items: dict[str, ItemView] = {}  # every item of the last workspace seen (identity diff)
        self.shown: dict[str, tuple[str, str, str]] = {}  # id -> (column, rank, id) of the shown cards
        self.columns: dict[str, list[Entry]] = {}  # column -> entries sorted by (rank, id)
        self.epics: dict[str, str] = {}  # epic id -> "KEY title"
        self.seen: tuple[int, int] = (0, 0)  # (position, count) of the workspace last seen

    def snapshot(self, ws: Workspace, keep: Keep | None = None, scope: object = None,
                 changes: Changes | None = None) -> BoardSnapshot | None:
        board = default_board(ws)
        if board is None:
            return None
        if scope != self.scope or board.id != self.board_id or len(self.items) == 0:
            self._reset(scope, board.id)
        if not self.items:
            self._build(ws, board.id, keep)
        else:
            hint = None if changes is None else changes(self.seen, ws)
            if hint is not None:  # a step or a live update: look only at what its events touched
                changed = [ws.items[key] for key in hint
                           if key in ws.items and self.items.get(key) is not ws.items[key]]
            else:
                changed = [item for key, item in ws.items.items() if self.items.get(key) is not item]
            if len(changed) > REBUILD_AFTER:
                # A long jump: moving thousands of cards one by one (each an O(n) list edit) costs
                # more than sorting the board again.
                self._reset(scope, board.id)
                self._build(ws, board.id, keep)
            else:
                self._update(changed, board.id, keep)
                if len(self.items) != len(ws.items):  # items that do not exist here (travelled back)
                    gone = [key for key in (hint if hint is not None else self.items)
                            if key in self.items and key not in ws.items]
                    for key in gone:
                        self._drop(key)
                        del self.items[key]
                        self.epics.pop(key, None)
        self.seen = (ws.position, ws.count)
        columns = [ColumnView(c["name"], c["category"], c["wip"], c["hard"],
                              Cards(self.columns.setdefault(c["name"], [])))  # type: ignore[arg-type]
                   for c in board.columns]
        return BoardSnapshot(board, columns, board.swimlanes, dict(self.epics))

    def _build(self, ws: Workspace, board_id: str, keep: Keep | None) -> None:
        """From scratch: one sort of the board's cards (the hot path at 50,000 items)."""
        self.items = dict(ws.items)
        cards = [item for item in ws.items.values()
                 if item.board_id == board_id and not item.archived and item.kind != "epic"]
        if keep is not None:
            cards = [item for item in cards if keep(item)]
        # Two sorts on plain string keys (stable: rank first, id breaks ties) are several times
        # quicker than one sort comparing (rank, id) tuples.
        cards.sort(key=attrgetter("id"))
        cards.sort(key=attrgetter("rank"))
        entries = [(item.rank, item.id, item) for item in cards]
        columns: dict[str, list[Entry]] = {}
        for entry in entries:  # in rank order, so every column comes out sorted
            columns.setdefault(entry[2].status, []).append(entry)
        self.columns = columns
        self.shown = {entry[1]: (entry[2].status, entry[0], entry[1]) for entry in entries}
        self.epics = {item.id: f"{item.key} {item.title}" for item in ws.items.values() if item.kind == "epic"}

    def _update(self, changed: list[ItemView], board_id: str, keep: Keep | None) -> None:
        for item in changed:
            self._drop(item.id)
            self.items[item.id] = item
            if item.kind == "epic":
                self.epics[item.id] = f"{item.key} {item.title}"
            elif item.board_id == board_id and not item.archived and (keep is None or keep(item)):
                insort(self.columns.setdefault(item.status, []), _entry(item))
                self.shown[item.id] = (item.status, item.rank, item.id)

    def _reset(self, scope: object, board_id: str) -> None:
        self.scope, self.board_id = scope, board_id
        self.items, self.shown, self.columns, self.epics = {}, {}, {}, {}

    def _drop(self, item_id: str) -> None:
        place = self.shown.pop(item_id, None)
        if place is None:
            return
        column, rank, key = place
        cards = self.columns[column]
        at = bisect_left(cards, (rank, key))
        if at < len(cards) and cards[at][1] == key:
            del cards[at]
