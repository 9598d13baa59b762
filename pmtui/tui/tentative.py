"""Cards drawn where the user's own queued moves will put them, before the store confirms them.

A move (H/L) or a reorder (J/K) on the board is drawn in the key's own frame: the card leaves its
place and is shown in the column, and at the rank, the move asks for. The write runs in the
background writer as before, and the service alone decides: when it is done the board is drawn
from the store (the truth: a card the service placed elsewhere is shown there); when the service
refuses (a hard WIP limit, someone else's change) the tentative card is dropped and the store's
state drawn, with the service's reason. Nothing here decides a rule: it only predicts the order
the service keeps (rank, then number) to place the card until the store says.

The columns stay the store's paged sequences: a ``Spliced`` column is its base with one card
taken out and/or one put in, read through without copying (a column holds thousands of cards).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence, Set as AbstractSet
import msgspec

from domain.rank import rank_between
from pmtui.sequences import ComputedSequence
from projections.board_view import BoardSnapshot, ColumnView
from projections.state import ItemView


def order(item: ItemView) -> tuple[str, int]:
    """The board's order: rank, then the item's number."""
    return item.rank, item.number


class Spliced(ComputedSequence[ItemView]):
    """``base`` without the card at ``dropped`` (None: none dropped), then with ``added`` put in
    at ``at`` (counted in the sequence after the drop)."""

    def __init__(self, base: Sequence[ItemView], dropped: int | None, added: ItemView | None, at: int = 0) -> None:
        self.base, self.dropped, self.added, self.at = base, dropped, added, at

    def __len__(self) -> int:
        return len(self.base) - (self.dropped is not None) + (self.added is not None)

    def _base_index(self, index: int) -> int:
        """The base's index of this sequence's ``index`` (not the added card's)."""
        if self.added is not None and index > self.at:
            index -= 1
        if self.dropped is not None and index >= self.dropped:
            index += 1
        return index

    def _at(self, index: int) -> ItemView:
        if self.added is not None and index == self.at:
            return self.added
        return self.base[self._base_index(index)]

    def __iter__(self) -> Iterator[ItemView]:
        for n in range(len(self)):
            yield self[n]

    def place_of(self, card: ItemView) -> int:
        """How many of these cards come before ``card`` in the board's order."""
        place = place_in(self.base, card)
        if self.dropped is not None and self.dropped < place:
            place -= 1
        if self.added is not None and order(self.added) < order(card):
            place += 1
        return place

    def index_of(self, item: ItemView) -> int | None:
        """Where ``item`` stands here (see ``ColumnCards.index_of``), or None."""
        if self.added is not None and item.id == self.added.id:
            return self.at
        index_of = getattr(self.base, "index_of", None)
        found = index_of(item) if index_of is not None else \
            next((n for n, card in enumerate(self.base) if card.id == item.id), None)
        if found is None or found == self.dropped:
            return None
        if self.dropped is not None and found > self.dropped:
            found -= 1
        if self.added is not None and found >= self.at:
            found += 1
        return found


def place_in(cards: Sequence[ItemView], card: ItemView) -> int:
    """Where ``card`` goes in ``cards`` (in the board's order): by its place in the store when the
    column is paged (one count), else by a binary search of the cards in hand."""
    where = getattr(cards, "place_of", None)
    if where is not None:
        return where(card)
    return bisect_left(cards, order(card), key=order)


def rank_beside(cards: Sequence[ItemView], index: int, where: str) -> str | None:
    """The rank a card at ``index`` would take one place up or down its column (as the service
    computes it between the two cards it passes); None at the column's end."""
    if where == "up":
        if index <= 0:
            return None
        far = cards[index - 2].rank if index >= 2 else None
        near = cards[index - 1].rank
        return rank_between(far, near) if far is None or far < near else None
    if index + 1 >= len(cards):
        return None
    near = cards[index + 1].rank
    far = cards[index + 2].rank if index + 2 < len(cards) else None
    return rank_between(near, far) if far is None or near < far else None


class TentativeCards:
    """The cards drawn where queued writes will put them: by id, the card as drawn, and how many
    writes for it are still on their way (its last write done or refused: it goes)."""

    def __init__(self) -> None:
        self.cards: dict[str, ItemView] = {}
        self._writes: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self.cards)

    def put(self, card: ItemView) -> None:
        self.cards[card.id] = card
        self._writes[card.id] = self._writes.get(card.id, 0) + 1

    def settle(self, item_id: str, refused: bool = False) -> None:
        """One write for the card is done (or refused: every tentative place of it goes)."""
        left = 0 if refused else self._writes.get(item_id, 0) - 1
        if left > 0:
            self._writes[item_id] = left
        else:
            self._writes.pop(item_id, None)
            self.cards.pop(item_id, None)

    def by_key(self, key: str) -> ItemView | None:
        return next((card for card in self.cards.values() if card.key == key), None)

    def drawn_on(self, snapshot: BoardSnapshot, stored: Callable[[str], ItemView | None]) -> BoardSnapshot:
        """``snapshot`` (the store's) with each tentative card taken from where the store has it
        and put where it is going. ``stored(id)``: the store's view of a card, as the snapshot's."""
        columns = list(snapshot.columns)
        names = [c.name for c in columns]
        for card in self.cards.values():
            if card.status not in names:
                continue
            now = stored(card.id)
            dropped: dict[int, int] = {}
            if now is not None and now.status in names:
                col = names.index(now.status)
                index_of = getattr(columns[col].cards, "index_of", None)
                found = index_of(now) if index_of is not None else \
                    next((n for n, c in enumerate(columns[col].cards) if c.id == now.id), None)
                if found is not None:
                    dropped[col] = found
            target = names.index(card.status)
            for col, index in dropped.items():
                if col != target:
                    columns[col] = _with_cards(columns[col], Spliced(columns[col].cards, index, None))
            base = columns[target].cards
            without = Spliced(base, dropped[target], None) if target in dropped else base
            columns[target] = _with_cards(columns[target], Spliced(base, dropped.get(target), card,
                                                                   place_in(without, card)))
        return msgspec.structs.replace(snapshot, columns=columns)


def _with_cards(column: ColumnView, cards: Sequence[ItemView]) -> ColumnView:
    return msgspec.structs.replace(column, cards=cards)  # type: ignore[arg-type]


def swapped_rows(rows: Sequence[ItemView], index: int, step: int, depth: Mapping[str, int],
                 showing_children: AbstractSet[str]) -> Sequence[ItemView] | None:
    """The Backlog's rows with the row at ``index`` swapped with the next one up (``step`` -1) or
    down, as a reorder will put them, when both are single rows at one depth of the tree (no
    children shown under them); None otherwise (the store's order is drawn when the write is done)."""
    other = index + step
    if not 0 <= other < len(rows):
        return None
    entries = getattr(rows, "entries", rows)  # the store's rows: their ids, no item read
    one, two = entries[index].id, entries[other].id
    if depth.get(one, 0) != depth.get(two, 0) or {one, two} & showing_children:
        return None
    swapped = getattr(rows, "swapped", None)
    if swapped is not None:
        return swapped(index, other)  # type: ignore[no-any-return]
    moved = list(rows)
    moved[index], moved[other] = moved[other], moved[index]
    return moved
