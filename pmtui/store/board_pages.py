"""A board as of a point, paged from the read model: per-column counts and the cards the screen
shows, never the whole board.

``board_view`` (projections/board_view.py) sorts every card of the board in Python: at 50,000 items
that is every item's row decoded (~140 MB and most of a second). Here one query over the versions
valid at the point (``Point.versions`` over the board's own indexes, read within each column's
part of them and from the index alone) gives each column's count and the ids of its first page in rank order; then
only that page's rows are decoded. Cards further down a column are fetched a page at
a time when the cursor or the screen reaches them, and a card's place in its column is a count of
the cards before it. The order is ``board_view``'s: rank, then the item's number (``ord``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from projections.board_view import BoardSnapshot, ColumnView
from pmtui.store.paged_items import PagedItems
from pmtui.store.readmodel import _damaged as damaged, paused_gc
from projections.state import BoardView, ItemView

if TYPE_CHECKING:
    from pmtui.store.readmodel import StoredWorkspace

PAGE = 30  # cards read at a time per column: two screens of a 48-line terminal
STEP_LIMIT = 300  # aggregates a step may touch and still move the last pages (beyond: read afresh)
CARRIED_RUNS = 8  # runs of cards below the first page a column carries from step to step (see stepped)
# The board's items; each query names the column(s) (``status``, empty for archived items and epics,
# see readmodel._columns) by equality, so the search for the versions valid at the point runs within
# each column's part of the index (a range over ``status`` would leave the later columns unused).
_CARDS = " AND tbl = 'items' AND grp = ?"
T = TypeVar("T")


class _InSprint(msgspec.Struct, frozen=True, gc=False):
    sprint: str | None = None


_in_sprint = msgspec.msgpack.Decoder(_InSprint).decode


class ColumnCards(PagedItems):
    """One column's cards as of the point, in rank order: its length is the column's count, and
    the cards are read a page at a time when first asked for (kept while this board is shown).
    ``carried``: runs of cards further down, known from the point shown before a step (see
    ``PagedBoard.stepped``), each as (its first card's place at this point, the cards)."""

    def __init__(self, board: PagedBoard, column: str, count: int, first: list[ItemView],
                 carried: Sequence[tuple[int, list[ItemView]]] = ()) -> None:
        self.board, self.column, self.count = board, column, count
        self.pages: dict[int, list[ItemView]] = {0: first}
        self.page_size = board.size
        self.carried = list(carried)

    def __len__(self) -> int:
        return self.count

    def _at(self, index: int) -> ItemView:
        for start, cards in self.carried:  # a run carried over from the last point: no query
            if start <= index < start + len(cards):
                return cards[index - start]
        return super()._at(index)

    def _page(self, number: int) -> list[ItemView]:
        found = self.pages.get(number)
        if found is None:
            start = number * self.board.size
            wanted = min(self.board.size, self.count - start)
            carried = next((cards[start - at: start - at + wanted] for at, cards in self.carried
                            if at <= start and start + wanted <= at + len(cards)), None)
            if carried is not None:
                return carried  # not kept as a page: the run it came from is carried on already
            found = self.pages[number] = self.board.page(self.column, start)
        return found

    def place_of(self, item: ItemView) -> int:
        """How many of this column's cards come before ``item`` in rank order (``item`` need not be
        one of them: a card about to be moved here): on the first page when it falls there."""
        first = self.pages.get(0, [])
        if first and (len(first) >= self.count or _order(item) <= _order(first[-1])):
            return bisect_left(first, _order(item), key=_order)
        return self.board.place(self.column, item)

    def runs(self) -> Iterator[tuple[int, list[ItemView]]]:
        """Every run of cards known without a query: (the first one's place, the cards); the
        pages read at this point last."""
        yield from self.carried
        for number, page in self.pages.items():
            yield number * self.board.size, page

    def index_of(self, item: ItemView) -> int | None:
        """Where ``item`` stands in this column (a count of the cards before it), or None."""
        if item.status != self.column or item.archived or item.kind == "epic":
            return None
        for start, cards in self.runs():  # on a page read already: no query
            for at, card in enumerate(cards):
                if card.id == item.id:
                    return start + at
        at = self.board.place(self.column, item)
        if at < self.count and self[at].id == item.id:
            return at
        return None


class PagedBoard:
    """The queries behind one board's pages as of one point (``ws``'s)."""

    def __init__(self, ws: StoredWorkspace, board: BoardView, size: int = PAGE) -> None:
        self.ws, self.board, self.size = ws, board, size
        self.model, self.point = ws.model, ws.point
        self._side: str | None = None

    def _versions(self, what: str, where: str = "", params: Sequence[object] = (),
                  group_by: str = "") -> tuple[str, list[object]]:
        return self.point.versions(what, _CARDS + where, [self.board.id, *params], intervals=self.model.intervals,
                                   group_by=group_by, board=self.side)

    @property
    def side(self) -> str:
        """Which of the board's history indexes holds fewer versions to look at for this point:
        those ending after it ("to") for a point in the log's second half, else those begun by it."""
        if self._side is None:
            if self.point.pos is not None:
                late = self.point.pos * 2 >= self.model.position()
            elif self.point.moment is not None:
                first, last = self.model.query("SELECT MIN(t), MAX(t) FROM {l}")[0]
                late = first is None or self.point.moment * 2 >= first + last
            else:
                late = True
            self._side = "to" if late else "from"
        return self._side

    def _in_columns(self) -> tuple[str, list[str]]:
        names = [c["name"] for c in self.board.columns]
        return f" AND status IN ({','.join('?' * len(names))})", names

    def counts(self) -> dict[str, int]:
        """Cards per column: each part of the versions counted in its index's order, then summed."""
        where, names = self._in_columns()
        inner, params = self._versions("status, COUNT(*) AS n", where, names, group_by="status")
        rows = self.model.query(f"SELECT status, SUM(n) FROM ({inner}) AS parts GROUP BY status", params)
        return {status: int(n) for status, n in rows}

    def first_pages(self) -> tuple[dict[str, int], dict[str, list[ItemView]]]:
        """Every column's count and first page in one pass over the versions valid at the point
        (window functions: the sort stays in SQLite and reads no body). In the past most of a
        board's versions lie in the history, whose index gives no rank order: one pass over them
        beats a count and a sort per column."""
        where, names = self._in_columns()
        inner, params = self._versions("id, status, rank, ord", where, names)
        rows = self.model.query(
            "SELECT status, n, id FROM (SELECT id, status, "
            "ROW_NUMBER() OVER (PARTITION BY status ORDER BY rank, ord) AS r, "
            f"COUNT(*) OVER (PARTITION BY status) AS n FROM ({inner}) AS valid) AS ranked "
            "WHERE r <= ? ORDER BY status, r", [*params, self.size])
        bodies = self._bodies([row[2] for row in rows])
        counts: dict[str, int] = {}
        firsts: dict[str, list[ItemView]] = {}
        for status, count, item_id in rows:
            counts[status] = count
            firsts.setdefault(status, []).append(bodies[item_id])
        return counts, firsts

    def every_card(self, kind: type[Any], sprint_id: str | None = None,
                   then: Callable[[Any], T] | None = None) -> dict[str, list[T]]:
        """Every column's cards as of the point in ``board_view``'s order (rank, then number),
        each decoded into ``kind``: a Struct of the fields wanted, the rest of each body skipped
        unread. A whole board as the CLI prints it, in one pass over the versions valid at the
        point (the bodies a chunk at a time: never all of a large board's at once; a walk of a
        column's index would read each body by its key, three times slower). ``sprint_id``: only
        that sprint's cards (``board_view``'s filter). ``then``: what is kept of each card
        instead (its JSON, say: a third of the struct's memory)."""
        where, names = self._in_columns()
        text, params = self.point.versions("status, rank, ord, body", _CARDS + where, [self.board.id, *names],
                                           intervals=self.model.intervals)
        decode = msgspec.msgpack.Decoder(kind).decode
        column = {name: name for name in names}  # one string per column, not one per card (memory)
        rows: list[tuple[str, str, int, Any]] = []
        try:
            with paused_gc():
                for chunk in self.model.chunks(text, params):
                    if sprint_id is not None:
                        chunk = [row for row in chunk if _in_sprint(row[3]).sprint == sprint_id]
                    if then is None:
                        rows += [(column[status], rank, number, decode(body)) for status, rank, number, body in chunk]
                    else:
                        rows += [(column[status], rank, number, then(decode(body)))
                                 for status, rank, number, body in chunk]
                    del chunk
        except (msgspec.DecodeError, msgspec.ValidationError, TypeError):
            raise damaged("items") from None
        rows.sort(key=itemgetter(2))  # two C-level sorts, stable: by number, then by rank
        rows.sort(key=itemgetter(1))
        cards: dict[str, list[T]] = {name: [] for name in names}
        for row in rows:
            cards[row[0]].append(row[3])
        return cards

    def snapshot(self, past: bool = False) -> BoardSnapshot:
        """``past``: the point lies before the latest event (then ``first_pages``, but for a point
        whose versions are read from the side of those ending after it: see below); now, the
        current rows' indexes count each column and give its first page in order."""
        if not self.board.columns:
            counts, firsts = {}, {}
        # In the log's second half ("to" side) most cards valid at the point are current rows,
        # which the column index gives in rank order: there a count and a page per column beat
        # one window pass sorting every card (1M events, random points: 190-520 ms against
        # 620-940 ms); in the first half they are about even.
        elif past and self.side == "from":
            counts, firsts = self.first_pages()
        else:
            counts = self.counts()
            firsts = {name: self.page(name, 0) for name, count in counts.items() if count}
        return self._snapshot(counts, firsts)

    def _snapshot(self, counts: dict[str, int], firsts: dict[str, list[ItemView]],
                  carried: dict[str, list[tuple[int, list[ItemView]]]] | None = None) -> BoardSnapshot:
        columns = [ColumnView(c["name"], c["category"], c["wip"], c["hard"],
                              ColumnCards(self, c["name"], counts.get(c["name"], 0),  # type: ignore[arg-type]
                                          firsts.get(c["name"], []), (carried or {}).get(c["name"], ())))
                   for c in self.board.columns]
        # Epic titles name the epic swimlanes only; the paged board is drawn without lanes.
        return BoardSnapshot(self.board, columns, self.board.swimlanes, {})

    def stepped(self, before: BoardSnapshot, touched: set[str]) -> BoardSnapshot | None:
        """The board at this point from ``before`` (the same board paged at another point) and
        the aggregates the events between the two points ``touched``: a time-travel step or a
        live update changes a few cards, so their versions at both points are read by id and
        each column's count and first page adjusted; a column whose first page runs short is
        read again. None when ``before`` is no paged board of this board's columns."""
        names = [c["name"] for c in self.board.columns]
        if before.board.id != self.board.id or [c.name for c in before.columns] != names \
                or self.board.id in touched or not all(isinstance(c.cards, ColumnCards) for c in before.columns):
            return None
        old_cards: dict[str, ColumnCards] = {c.name: c.cards for c in before.columns}  # type: ignore[misc]
        previous = next(iter(old_cards.values())).board if old_cards else None
        if previous is None:
            return None
        ids = sorted(touched)
        # A touched card on a first page read before is its version at the old point: only the
        # others are looked up there (a live move is mostly of a card near a column's top).
        shown = {card.id: card for cards in old_cards.values() for _, run in cards.runs() for card in run}
        was = {item_id: shown[item_id] for item_id in ids if item_id in shown}
        was.update(previous._bodies([item_id for item_id in ids if item_id not in shown]))
        now = self._bodies(ids)
        counts = {name: cards.count for name, cards in old_cards.items()}
        kept: dict[str, list[ItemView]] = {}
        bounds: dict[str, tuple[str, int] | None] = {}
        for name, cards in old_cards.items():
            first = cards.pages.get(0, [])
            kept[name] = [card for card in first if card.id not in touched]
            # Cards up to the first page's last one belong in it; a page holding the whole column
            # takes any card.
            bounds[name] = None if len(first) >= cards.count else (first[-1].rank, first[-1].number)
        for item_id in ids:
            old, new = was.get(item_id), now.get(item_id)
            if old is not None and self._card(old, names):
                counts[old.status] -= 1
            if new is not None and self._card(new, names):
                counts[new.status] += 1
                bound = bounds[new.status]
                if bound is None or (new.rank, new.number) <= bound:
                    kept[new.status].append(new)
        firsts: dict[str, list[ItemView]] = {}
        for name in names:
            cards = sorted(kept[name], key=_order)[: self.size]
            if len(cards) < min(self.size, counts[name]):
                # Cards left the page: the cards kept are the column's first ones (every card up
                # to the old page's last is in them), so only the ones after them are read; the
                # kept cards stay the same objects, which the grid's drawn lines are cached on.
                cards += self.page(name, len(cards), self.size - len(cards))
            firsts[name] = cards
        carried = {name: self._moved_runs(name, cards, touched, was, now, names, counts[name])
                   for name, cards in old_cards.items()}
        return self._snapshot(counts, firsts, carried)

    def _moved_runs(self, name: str, cards: ColumnCards, touched: set[str], was: dict[str, ItemView],
                    now: dict[str, ItemView], names: list[str], count: int) -> list[tuple[int, list[ItemView]]]:
        """The runs of cards below the first page that ``cards`` knew, moved to this point: a
        session whose cursor is deep in a column (it followed a card it moved) redraws after a
        live update without reading that column's page again, nor the other columns' at the same
        depth. The untouched cards of a run keep their order; their place shifts by the touched
        cards that left or entered the column before them, and the touched cards that now fall
        between its first and last untouched card join it."""
        left = sorted(_order(card) for card in was.values() if self._card(card, names) and card.status == name)
        entered = sorted((card for card in now.values() if self._card(card, names) and card.status == name),
                         key=_order)
        entered_orders = [_order(card) for card in entered]
        moved: list[tuple[int, list[ItemView]]] = []
        for start, run in cards.runs():
            if start == 0:
                continue  # the first page is moved above
            first = next((at for at, card in enumerate(run) if card.id not in touched), None)
            if first is None:
                continue
            kept = [card for card in run[first:] if card.id not in touched]
            low, high = _order(kept[0]), _order(kept[-1])
            place = start + first - bisect_left(left, low) + bisect_left(entered_orders, low)
            joined = kept + [card for card in entered if low < _order(card) < high]
            if len(joined) > len(kept):
                joined.sort(key=_order)
            if 0 <= place and place + len(joined) <= count:
                moved.append((place, joined))
        return moved[max(0, len(moved) - CARRIED_RUNS):]

    def _card(self, item: ItemView, columns: list[str]) -> bool:
        return item.board_id == self.board.id and not item.archived and item.kind != "epic" and item.status in columns

    def _bodies(self, ids: list[str]) -> dict[str, ItemView]:
        """The rows of these items as of the point, by id (one indexed look-up each)."""
        if not ids:
            return {}
        clause = f" AND id IN ({','.join('?' * len(ids))})"
        return {v.id: v for v in self.model.views("items", self.point, clause, ids, many=False)}

    def page(self, column: str, offset: int, size: int | None = None) -> list[ItemView]:
        """``size`` cards (a page) of ``column`` from ``offset`` in rank order."""
        # ORDER BY on the compound itself: SQLite merges its parts, the current rows straight from
        # the column's index (no sort of the column), and stops at the page's end.
        inner, params = self._versions("id, rank, ord", " AND status = ?", [column])
        rows = self.model.query(f"{inner} ORDER BY rank, ord LIMIT ? OFFSET ?",
                                [*params, self.size if size is None else size, offset])
        bodies = self._bodies([row[0] for row in rows])
        return [bodies[row[0]] for row in rows]

    def place(self, column: str, item: ItemView) -> int:
        """How many cards of ``column`` come before ``item`` in rank order."""
        # "rank <= ?" bounds the index's range (the OR alone is no range SQLite can use).
        inner, params = self._versions("1 AS one", " AND status = ? AND rank <= ? AND (rank < ? OR (rank = ? AND ord < ?))",
                                       [column, item.rank, item.rank, item.rank, item.number])
        return self.model.query(f"SELECT COUNT(*) FROM ({inner}) AS before", params)[0][0]


def touched(before: StoredWorkspace, after: StoredWorkspace, limit: int) -> set[str] | None:
    """The aggregates whose rows may differ between two points on the same axis: the events
    between two event numbers, or those that took effect between two moments. None across axes
    (a moment is no prefix of the log) or beyond ``limit``."""
    was, now = before.point.moment, after.point.moment
    if was is None and now is None:
        low, high = sorted((before.position, after.position))
        return after.model.touched_between(low, high, limit)
    if was is not None and now is not None:
        return after.model.touched_in_time(min(was, now), max(was, now), limit)
    return None


def _order(item: ItemView) -> tuple[str, int]:
    return item.rank, item.number


def paged_board(ws: StoredWorkspace, board: BoardView, size: int = PAGE, past: bool = False) -> BoardSnapshot:
    """``board_view(ws, board.id)``'s columns and counts, read a page at a time (no epics: cards);
    ``past``: ``ws`` is a point before the latest event (time travel)."""
    return PagedBoard(ws, board, size).snapshot(past)
