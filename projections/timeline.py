"""Time travel: the workspace as of any event number or any moment, in milliseconds.

The timeline folds the log once, keeping a checkpoint (a shallow copy of the workspace's maps,
sharing its append-only parts) every ``every`` events, or more sparsely as the state grows.
"As of event #N" restores the checkpoint at or below N and folds the few events after it; where
checkpoints are missing (below the snapshot a timeline started from), that fold leaves new ones
behind on its way, and a fresh start first picks up the nearest checkpoint an earlier run saved
(``SavedCheckpoint``). "As of time T" means every event that *occurred* by T, even if the log recorded
them later (imported history): in a log whose occurred times only grow, that is a prefix found by
bisection; events recorded out of their time order ("late" events) are few, kept in a list, and
folded in on top when they belong.

The timeline keeps no event bodies: it reads the stretch it needs through ``fetch``, so its memory
is the index arrays plus the checkpoints.
"""

from __future__ import annotations

import gc
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

import msgspec

from projections.records import EventRecord
from projections.state import HANDLERS, Workspace

# fetch(after_seq, upto_seq) -> the records with after_seq < seq <= upto_seq, in order.
Fetch = Callable[[int, int], Iterable[EventRecord]]
# fetch_seqs(seqs) -> the records with these numbers, in order.
FetchSeqs = Callable[[Sequence[int]], Iterable[EventRecord]]


class TimelineIndex(msgspec.Struct):
    """What the timeline knows of every folded event: its number and occurred time, and (so a
    start from a snapshot need not rescan a million times in Python) the derived running maximum
    and late list. Snapshots without the derived arrays are rescanned."""

    seqs: bytes = b""
    occurred: bytes = b""
    running_max: bytes = b""
    late: bytes = b""


# The parts of the workspace that only ever grow at the end: a checkpoint shares them with the
# live workspace and remembers their lengths, instead of copying them.
APPEND_ONLY = ("keys", "checkins", "measurements", "comments")
# A checkpoint copies the maps (O(state)); spacing checkpoints at least state/SPACING events apart
# keeps the copying a small share of the fold and the memory per event bounded on long logs,
# while an as-of query folds at most a few thousand events past its checkpoint.
SPACING = 16
# ...and at least this many events apart.
CHECKPOINT_EVERY = 2048


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Folding makes many objects and no reference cycles, yet each new batch of objects sets off
    the cycle collector, which then rescans the growing state: at 1M events that cost more than
    the fold itself. Paused while folding, resumed after (reference counting still frees memory)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# A fold of this many events at once (a rebuild, a start far behind its snapshot) leaves the read
# model and its checkpoints behind as long-lived objects: see ``settle``.
SETTLE_AFTER = 50_000


def settle() -> None:
    """Move every object alive now out of the cycle collector's reach (``gc.freeze``).

    The read model makes no reference cycles, but its checkpoints hold copies of maps of every
    item: each full collection walked all of them again (~200 ms at 1M events, stalling whichever
    query set it off). Frozen objects are still freed by reference counting when dropped."""
    gc.freeze()


class Checkpoint:
    """The workspace at one point of the fold, kept cheaply (see APPEND_ONLY)."""

    __slots__ = ("state", "lengths")

    def __init__(self, live: Workspace) -> None:
        values = msgspec.structs.asdict(live)
        self.lengths = {name: len(values[name]) for name in APPEND_ONLY}
        self.state = Workspace(**{
            name: value if name in self.lengths else (value.copy() if isinstance(value, (dict, list)) else value)
            for name, value in values.items()
        })

    def restore(self) -> Workspace:
        """A workspace of its own, exactly as it was at this point."""
        values = msgspec.structs.asdict(self.state)
        for name, length in self.lengths.items():
            shared = values[name]
            if isinstance(shared, dict):
                values[name] = _prefix(shared, length)
            else:
                values[name] = shared[:length]
        return Workspace(**{
            name: value if name in self.lengths else (value.copy() if isinstance(value, (dict, list)) else value)
            for name, value in values.items()
        })


def _prefix(shared: dict, length: int) -> dict:
    """The first ``length`` entries of ``shared``, a map that only gains keys at its end. A dict
    built anew costs ~250 ns an entry, a copy of one a fraction of that (a memory copy) and a
    deletion ~30 ns: copy and delete the newer keys unless they are most of the map."""
    newer = len(shared) - length
    if newer > length:
        return dict(islice(shared.items(), length))
    prefix = shared.copy()
    deque(map(prefix.__delitem__, list(islice(reversed(shared), newer))), maxlen=0)
    return prefix


class SavedCheckpoint(msgspec.Struct):
    """The workspace after ``count`` events, to keep beside a snapshot of a later one: without the
    parts that only ever grow at the end (the key map and the lists), which are prefixes of the
    later workspace's (``lengths`` long), so a saved checkpoint is mostly its views of items."""

    count: int
    workspace: Workspace
    lengths: dict[str, int]

    @classmethod
    def of(cls, count: int, ws: Workspace) -> SavedCheckpoint:
        grown = {name: getattr(ws, name) for name in APPEND_ONLY}
        return cls(count, msgspec.structs.replace(ws, **{name: type(value)() for name, value in grown.items()}),
                   {name: len(value) for name, value in grown.items()})

    def workspace_with(self, later: Workspace) -> Workspace:
        """The whole workspace, its growing parts taken from ``later`` (a workspace folded on)."""
        grown = {name: getattr(later, name) for name in APPEND_ONLY}
        return msgspec.structs.replace(self.workspace, **{
            name: _prefix(value, self.lengths[name]) if isinstance(value, dict) else value[:self.lengths[name]]
            for name, value in grown.items()})


def state_size(ws: Workspace) -> int:
    return len(ws.items) + len(ws.sprints) + len(ws.roadmap) + len(ws.objectives)


class Timeline:
    def __init__(self, fetch: Fetch, fetch_seqs: FetchSeqs, every: int | None = None) -> None:
        self._fetch = fetch
        self._fetch_seqs = fetch_seqs
        self.every = every or CHECKPOINT_EVERY
        self.now = Workspace()
        self.seqs = array("q")
        self.occurred = array("d")
        self.running_max = array("d")  # running maximum of occurred: non-decreasing, so bisectable
        self.late: list[int] = []  # indexes of events that occurred before an earlier-recorded one
        self.checkpoints: dict[int, Checkpoint] = {0: Checkpoint(Workspace())}  # index -> state after that many
        self.checkpoints_from = 0  # checkpoints below this index are missing (started from a snapshot)
        # Checkpoints saved by an earlier run (see ``SavedCheckpoint``), by index, loaded when first
        # needed: a fresh start travels to a point below its snapshot from the nearest one.
        self.saved: dict[int, Callable[[], SavedCheckpoint | None]] = {}
        self._last_checkpoint = 0

    # Building ----------------------------------------------------------------------------------
    @classmethod
    def from_snapshot(cls, now: Workspace, index: TimelineIndex, fetch: Fetch, fetch_seqs: FetchSeqs,
                      every: int | None = None) -> Timeline:
        timeline = cls(fetch, fetch_seqs, every)
        timeline.now = now
        timeline.seqs.frombytes(index.seqs)
        if index.running_max and len(index.running_max) == len(index.occurred):
            timeline.occurred.frombytes(index.occurred)
            timeline.running_max.frombytes(index.running_max)
            timeline.late = array("q", index.late).tolist()
        else:
            for value in array("d", index.occurred):
                timeline._index(value)
        timeline.checkpoints[len(timeline.seqs)] = Checkpoint(now)
        settle()
        timeline.checkpoints_from = timeline._last_checkpoint = len(timeline.seqs)
        return timeline

    def _spacing(self, ws: Workspace) -> int:
        return max(self.every, state_size(ws) // SPACING)

    def snapshot_index(self) -> TimelineIndex:
        return TimelineIndex(self.seqs.tobytes(), self.occurred.tobytes(), self.running_max.tobytes(),
                             array("q", self.late).tobytes())

    def _index(self, occurred: float) -> None:
        top = self.running_max[-1] if self.running_max else float("-inf")
        if occurred < top:
            self.late.append(len(self.occurred))
        self.occurred.append(occurred)
        self.running_max.append(max(top, occurred))

    def append(self, records: Iterable[EventRecord]) -> int:
        """Fold new events into "now" (in log order), checkpointing as it goes."""
        with cycle_collector_paused():
            count = self._fold(records)
        if count >= SETTLE_AFTER:
            settle()
        return count

    def _fold(self, records: Iterable[EventRecord]) -> int:
        # The rebuild's hot loop: the workspace's apply and _index inlined on local names, the
        # workspace's bookkeeping written back once at the end (or when a handler fails).
        now, handlers, checkpoints = self.now, HANDLERS, self.checkpoints
        seqs, occurred, running_max, late = self.seqs, self.occurred, self.running_max, self.late
        top = running_max[-1] if running_max else float("-inf")
        position, folded, at = now.position, now.count, now.at
        index, count = len(seqs), 0
        next_check = self._last_checkpoint + self.every
        try:
            for record in records:
                seq = record.seq
                if seq <= position:
                    continue
                handler = handlers.get(record.name)
                if handler is not None:
                    handler(now, record)
                position = seq
                folded += 1
                moment = record.occurred
                if moment > at:
                    at = moment
                seqs.append(seq)
                if moment < top:
                    late.append(index)
                else:
                    top = moment
                occurred.append(moment)
                running_max.append(top)
                index += 1
                count += 1
                if index >= next_check:
                    now.position, now.count, now.at = position, folded, at
                    if index - self._last_checkpoint >= self._spacing(now):
                        self._last_checkpoint = index
                        checkpoints[index] = Checkpoint(now)
                    next_check = self._last_checkpoint + max(self.every, self._spacing(now))
        finally:
            now.position, now.count, now.at = position, folded, at
        return count

    @property
    def position(self) -> int:
        return self.now.position

    def __len__(self) -> int:
        return len(self.seqs)

    # Filling in checkpoints (missing below the snapshot a timeline started from) ---------------
    @property
    def complete(self) -> bool:
        return self.checkpoints_from == 0

    def backfill(self) -> None:
        """Make every checkpoint missing below the snapshot, in one pass from the first event (the
        TUI does this on a worker thread while the user types a point in time)."""
        if not self.complete:
            self._fold_from(0, self.checkpoints_from)
            self.checkpoints_from = 0

    def _fold_from(self, base: int, count: int) -> Workspace:
        """The workspace after ``count`` events, folded from the checkpoint at ``base``. Where that
        crosses a gap in the checkpoints, it leaves new ones behind, so the next query there is
        quick and only the first pays for the distance."""
        state = self.checkpoints[base].restore()
        made: dict[int, Checkpoint] = {}
        at, seqs = base, self.seqs
        with cycle_collector_paused():
            while at < count:
                upto = min(count, at + max(self.every, self._spacing(state)))
                state.apply_all(self._fetch(seqs[at - 1] if at else 0, seqs[upto - 1]))
                at = upto
                if at < count:
                    made[at] = Checkpoint(state)
        self.checkpoints.update(made)
        return state

    # Queries -----------------------------------------------------------------------------------
    def state_after(self, count: int) -> Workspace:
        """The workspace after the first ``count`` events of the log (in log order)."""
        count = max(0, min(count, len(self.seqs)))
        if count == len(self.seqs):
            return self.now
        with cycle_collector_paused():
            base = max(n for n in self.checkpoints if n <= count)
            nearer = [n for n in self.saved if base < n <= count]
            if nearer and self._adopt(max(nearer)):
                base = max(nearer)
            return self._fold_from(base, count)

    def _adopt(self, count: int) -> bool:
        """Make the saved checkpoint after ``count`` events one of ours (False: it is unreadable)."""
        saved = self.saved.pop(count)()
        if saved is None or saved.count != count:
            return False
        self.checkpoints[count] = Checkpoint(saved.workspace_with(self.now))
        return True

    def index_of_seq(self, seq: int) -> int:
        """How many events have a number at or below ``seq``."""
        return bisect_right(self.seqs, seq)

    def as_of_event(self, seq: int) -> Workspace:
        """The workspace right after event number ``seq`` was recorded."""
        return self.state_after(self.index_of_seq(seq))

    def as_of_time(self, moment: float) -> Workspace:
        """The workspace holding every event that occurred at or before ``moment``."""
        prefix = bisect_right(self.running_max, moment)
        late, occurred, seqs = self.late, self.occurred, self.seqs
        extra = [seqs[i] for i in late[bisect_left(late, prefix):] if occurred[i] <= moment]
        state = self.state_after(prefix)
        if extra:
            if state is self.now:
                state = state.copy()
            with cycle_collector_paused():
                state.apply_all(self._fetch_seqs(extra))
        return state

    def seq_at_time(self, moment: float) -> int:
        """The number of the last event (in log order) that occurred by ``moment``; 0 if none."""
        prefix = bisect_right(self.running_max, moment)
        return self.seqs[prefix - 1] if prefix else 0

    def occurred_of(self, seq: int) -> float | None:
        index = self.index_of_seq(seq) - 1
        if index < 0 or self.seqs[index] != seq:
            return None
        return self.occurred[index]
