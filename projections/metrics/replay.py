"""The one walk every metric takes: the workspace fold (projections.state) applied in time order,
with the state sampled at the end of each local day and a hook seeing each event with the work item
as it was just before it. Metrics never interpret events themselves; they read the folded views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from msgspec.structs import replace

from projections.metrics.days import Zone, day_end, days
from projections.records import EventRecord
from projections.state import ItemView, Workspace

# on_record(record, item_before, workspace_after): item_before is the work item before a WorkItem.*
# event (None for its creation and for events of other aggregates).
OnRecord = Callable[[EventRecord, ItemView | None, Workspace], None]


def in_time_order(records: Iterable[EventRecord], as_of: float) -> list[EventRecord]:
    """The events that occurred by ``as_of``, ordered by when they occurred (then by number).

    This is what "as of time T" means in the timeline too: imported history recorded late still
    lands on the day it occurred. One thing the clock cannot do is reorder an aggregate's own
    events (a sprint closed "before" it was started, from a careless import): an event that says
    it occurred before the previous event of its aggregate is taken to occur with that one."""
    floor: dict[str, float] = {}
    kept: list[EventRecord] = []
    for record in sorted(records, key=lambda r: r.seq):  # log order: each aggregate's version order
        previous = floor.get(record.aggregate_id)
        if previous is not None and record.occurred < previous:
            record = replace(record, occurred=previous)
        floor[record.aggregate_id] = record.occurred
        if record.occurred <= as_of:
            kept.append(record)
    kept.sort(key=lambda r: (r.occurred, r.seq))
    return kept


class Replay:
    """Folds ordered records into one workspace, step by step, calling ``on_record`` after each."""

    def __init__(self, records: list[EventRecord], on_record: OnRecord | None = None) -> None:
        self.records = records
        self.ws = Workspace()
        self.next = 0
        self.on_record = on_record

    def until(self, moment: float) -> Workspace:
        """Fold every remaining record that occurred strictly before ``moment``."""
        records = self.records
        while self.next < len(records) and records[self.next].occurred < moment:
            self._step()
        return self.ws

    def through(self, index: int) -> Workspace:
        """Fold every remaining record up to and including ``records[index]``."""
        while self.next <= index:
            self._step()
        return self.ws

    def _step(self) -> None:
        ws, hook = self.ws, self.on_record
        record = self.records[self.next]
        before = ws.items.get(record.aggregate_id) if record.name.startswith("WorkItem.") else None
        ws.apply(record)
        if hook is not None:
            hook(record, before, ws)
        self.next += 1

    def rest(self) -> Workspace:
        return self.until(float("inf"))


def daily(records: list[EventRecord], first: date, last: date, tz: Zone = None,
          on_record: OnRecord | None = None) -> Iterator[tuple[date, Workspace]]:
    """The workspace at the end of each local day from ``first`` to ``last``.

    The workspace yielded is live (the same object each day): read it before asking for the next."""
    replay = Replay(records, on_record)
    for day in days(first, last):
        yield day, replay.until(day_end(day, tz))


def category_of(ws: Workspace, item: ItemView) -> str:
    """todo, doing or done: the category of the item's column on its board, as the board is now
    in ``ws``. A status with no column (a removed one) counts as todo: nobody is working on it."""
    board = ws.boards.get(item.board_id)
    column = board.column(item.status) if board else None
    return column["category"] if column else "todo"
