"""History replayed in bulk (imports): the Workbench's commands, decided by the same aggregates
with the same rules, but on aggregates held in memory and appended many events per transaction.

One command at a time costs a read of the log, a load of the aggregate and a transaction per
event; an import of thousands of steps paid that thousands of times (and once more for a
rehearsal). Here every step runs first, in memory, in the order given, so whatever the domain
refuses is found before the first event is written; ``commit`` then appends the events in that
same order, ``BATCH`` per transaction, and folds them into the read model once.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.base import attributed
from domain.board import Board
from domain.exceptions import NothingChangedError
from domain.product import Product
from domain.rank import rank_between
from domain.sprint import Sprint
from domain.work_item import WorkItem
from pmtui.errors import ConflictError, NotFoundError, UserError

if TYPE_CHECKING:
    from pmtui.service.workbench import Workbench

A = TypeVar("A", bound=Aggregate)
BATCH = 5000  # events per transaction: big enough to be cheap, small enough for other writers


class HistoryBatch:
    """Commands by item id on in-memory aggregates; ``commit()`` writes what they decided."""

    def __init__(self, wb: Workbench, reason: str) -> None:
        wb.require("editor")
        wb.refresh()
        self.wb = wb
        self.reason = reason
        self.aggregates: dict[UUID, Aggregate] = {}
        self.events: list[Any] = []
        product = wb.now.product
        self.product_id = UUID(product.id) if product else None
        self.key_prefix = product.key_prefix if product else ""
        self.next_number = (product.last_number + 1) if product else 1
        self.keys: dict[UUID, str] = {}
        self.ranks: dict[UUID, list[str]] = {}  # board id -> every item's rank there, sorted
        self._uuids: dict[str, UUID] = {}

    # Plumbing ----------------------------------------------------------------------------------
    @contextmanager
    def acting(self, actor: str, occurred: datetime | None) -> Iterator[None]:
        with attributed(actor, self.reason, occurred):
            yield

    def get(self, cls: type[A], aggregate_id: UUID | str, what: str) -> A:
        uuid = aggregate_id if isinstance(aggregate_id, UUID) else self._uuid(aggregate_id)
        found = self.aggregates.get(uuid)
        if found is None:
            found = self.aggregates[uuid] = self.wb.app.load(cls, uuid, what)
        if not isinstance(found, cls):
            raise NotFoundError(f"no such {what}: {aggregate_id}")
        return found

    def _uuid(self, text: str) -> UUID:
        # Items name their board by a string id: parse each one once, not on every step.
        uuid = self._uuids.get(text)
        if uuid is None:
            uuid = self._uuids[text] = UUID(text)
        return uuid

    def _collect(self, aggregate: Aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate
        self.events.extend(aggregate.collect_events())

    def change(self, aggregate: Aggregate, fn: Callable[[], Any]) -> bool:
        """Run a command on an aggregate; False (nothing written) when it changes nothing."""
        try:
            fn()
        except NothingChangedError:
            aggregate.collect_events()  # nothing pending, but keep the aggregate clean regardless
            return False
        self._collect(aggregate)
        return True

    def commit(self, progress: Callable[[int], None] | None = None) -> int:
        """Append every decided event, in decision order, BATCH per transaction; then fold them."""
        app, written = self.wb.app, 0
        try:
            for start in range(0, len(self.events), BATCH):
                chunk = self.events[start:start + BATCH]
                processing = ProcessingEvent()  # type: ignore[var-arg]
                processing.events.extend(chunk)  # in order; save() would regroup them by aggregate
                app._notify(app._record(processing))
                written += len(chunk)
                if progress:
                    progress(len(chunk))
        except IntegrityError:
            raise ConflictError(f"someone else wrote to the same items meanwhile; {written} of {len(self.events)} "
                                "event(s) were written, the rest not: import again to complete it") from None
        self.events = []
        self.wb.refresh()
        return written

    # Product and board -------------------------------------------------------------------------
    def create_product(self, name: str, key_prefix: str, board_name: str, mode: str,
                       columns: list[dict[str, Any]]) -> UUID:
        self.wb.require("admin")
        if self.wb.now.product is not None or self.product_id is not None:
            raise UserError(f"this store already holds a product")
        product = Product.create(name, key_prefix)
        board = Board.create(product.id, board_name, mode, columns)
        for aggregate in (product, board):
            if self.wb.app._exists(aggregate.id):
                raise ConflictError(f"a product with key prefix {product.key_prefix} exists already")
            self._collect(aggregate)
        self.product_id, self.key_prefix, self.next_number = product.id, product.key_prefix, 1
        self.ranks[board.id] = []
        return board.id

    def add_board(self, name: str, mode: str, columns: list[dict[str, Any]]) -> UUID:
        if self.product_id is None:
            raise NotFoundError("there is no product yet")
        board = Board.create(self.product_id, name, mode, columns)
        if board.id in self.aggregates or self.wb.app._exists(board.id):
            raise ConflictError(f"a board named {name!r} exists already")
        self._collect(board)
        self.ranks[board.id] = []
        return board.id

    def board(self, board_id: UUID | str) -> Board:
        return self.get(Board, board_id, "board")

    def _board_ranks(self, board_id: UUID) -> list[str]:
        ranks = self.ranks.get(board_id)
        if ranks is None:
            ranks = self.ranks[board_id] = sorted(i.rank for i in self.wb.now.items.values()
                                                  if i.board_id == str(board_id))
        return ranks

    def rename_column(self, board_id: UUID, old: str, new: str) -> list[UUID]:
        """Rename a column and carry its items (archived ones too) along, at the same moment.
        Returns the items moved."""
        board = self.board(board_id)
        wanted = old.strip().lower()
        if not self.change(board, lambda: board.rename_column(old, new)):
            return []
        name = next(c["name"] for c in [*board.columns, *board.archived_columns] if c["name"] == new.strip()
                    or c["name"].lower() == new.strip().lower())
        moved = []
        for item_id in self.items_on(board_id):
            item = self.get(WorkItem, item_id, "item")
            if item.status.lower() == wanted and self.change(item, lambda item=item: item.follow_column(name)):
                moved.append(item_id)
        return moved

    def items_on(self, board_id: UUID) -> list[UUID]:
        """The ids of every item of the board: in the read model, and created in this batch."""
        on_board = {UUID(i.id) for i in self.wb.now.items.values() if i.board_id == str(board_id)}
        on_board |= {a.id for a in self.aggregates.values() if isinstance(a, WorkItem) and a.board_id == str(board_id)}
        return sorted(on_board, key=str)

    # Work items --------------------------------------------------------------------------------
    def add_item(self, board_id: UUID, title: str, kind: str, status: str, **values: Any) -> UUID:
        if self.product_id is None:
            raise NotFoundError("there is no product yet")
        board = self.board(board_id)
        column = board.column_named(status)["name"]
        ranks = self._board_ranks(board_id)
        rank = rank_between(ranks[-1] if ranks else None, None)
        while True:
            key = f"{self.key_prefix}-{self.next_number}"
            self.next_number += 1
            item_id = WorkItem.create_id(self.product_id, key)
            # Keys past the product's last number are free unless someone takes one meanwhile:
            # then the commit's insert conflicts, and the import says so.
            if item_id not in self.aggregates:
                break
        item = WorkItem.create(self.product_id, board.id, key, title, column, rank, kind, **values)
        self._collect(item)
        insort(ranks, rank)
        return item.id

    def item(self, item_id: UUID | str) -> WorkItem:
        return self.get(WorkItem, item_id, "item")

    def move(self, item_id: UUID, column: str) -> bool:
        item = self.item(item_id)
        name = self.board(item.board_id).column_named(column)["name"]  # no WIP limits: history happened
        return self.change(item, lambda: item.move(name))

    def rank_after(self, item_id: UUID, other_id: UUID) -> bool:
        """Rank an item just below another, unless it is below it already."""
        item, other = self.item(item_id), self.item(other_id)
        if item.rank > other.rank:
            return False
        ranks = self._board_ranks(UUID(item.board_id))
        index = bisect_right(ranks, other.rank)
        above = next((r for r in ranks[index:] if r > other.rank and r != item.rank), None)
        new = rank_between(other.rank, above)
        old = item.rank
        if not self.change(item, lambda: item.rerank(new)):
            return False
        position = bisect_right(ranks, old) - 1
        if 0 <= position < len(ranks) and ranks[position] == old:
            ranks.pop(position)
        insort(ranks, new)
        return True

    # Sprints -----------------------------------------------------------------------------------
    def plan_sprint(self, board_id: UUID, name: str, start: str | None, end: str | None) -> UUID:
        """The board's sprint of that name: planned now unless it exists already."""
        sprint_id = Sprint.create_id(board_id, name)
        if sprint_id in self.aggregates or self.wb.app._exists(sprint_id):
            return sprint_id
        self._collect(Sprint.plan(board_id, name, "", start, end))
        return sprint_id

    def sprint(self, sprint_id: UUID) -> Sprint:
        return self.get(Sprint, sprint_id, "sprint")
