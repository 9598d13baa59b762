"""Time travel for the TUI: reading "as of when?" (a date-time, ``-3d``, ``#812``, or a sprint's day
such as ``Sprint 3 day 2``) and stepping one event or one day from a point in the past.

Every point becomes an ``AsOf`` the workbench folds from its timeline checkpoints, so a step costs
at most one checkpoint interval of events."""

from __future__ import annotations

import re
import threading
from time import time as time_now
from bisect import bisect_right
from collections import OrderedDict
from datetime import date, datetime, time, timedelta

from pmtui.errors import UserError
from pmtui.service import Workbench
from pmtui.timespec import NOW, AsOf, local, parse_as_of
from projections.sprint_view import find_sprint
from projections.state import Workspace
from projections.timeline import Timeline

DAY = 86400.0
_SPRINT_DAY = re.compile(r"^(?P<sprint>.+?)\s+day\s+(?P<day>\d+)$", re.IGNORECASE)


def end_of_day(day: date) -> float:
    return (datetime.combine(day, time.max)).astimezone().timestamp()


def parse_point(text: str, wb: Workbench, now: datetime | None = None) -> AsOf:
    """What the user typed at "as of when?"; a ``UserError`` explains a bad entry."""
    spec = text.strip()
    match = _SPRINT_DAY.match(spec)
    if match:
        sprint = find_sprint(wb.now, match["sprint"])
        if sprint is None:
            raise UserError(f"no sprint named {match['sprint']!r}")
        if not sprint.start:
            raise UserError(f"sprint {sprint.name!r} has no start date yet")
        day = int(match["day"])
        if day < 1:
            raise UserError("sprint days count from 1")
        first = date.fromisoformat(sprint.start)
        last = date.fromisoformat(sprint.end) if sprint.end else None
        if last is not None and day > (last - first).days + 1:
            raise UserError(f"sprint {sprint.name!r} has {(last - first).days + 1} days ({sprint.start} to {sprint.end})")
        moment = end_of_day(first + timedelta(days=day - 1))
        if moment > (now or datetime.now().astimezone()).timestamp() and (first + timedelta(days=day - 1)) > (
                now or datetime.now().astimezone()).date():
            raise UserError(f"day {day} of sprint {sprint.name!r} is in the future: time travel goes to the past")
        return AsOf(moment=moment, text=f"{sprint.name} day {day}")
    return parse_as_of(spec, now)


def step_event(wb: Workbench, past: Workspace, step: int) -> AsOf:
    """The point one event (``step`` = -1 or +1) from ``past``, in log order."""
    seqs = wb.timeline.seqs
    index = wb.timeline.index_of_seq(past.position)  # events folded so far
    target = index + step
    if target < 0:
        raise UserError("this is before the first event already")
    if target > len(seqs):
        raise UserError("this is the latest event: press t to return to now")
    seq = seqs[target - 1] if target else 0
    return AsOf(event=seq, text=f"#{seq}")


def step_day(point: AsOf, past: Workspace, step: int, now: float | None = None) -> AsOf:
    """The point one day (``step`` = -1 or +1) from ``point``; a step past now is now (time
    travel stays in the past, and stepping off its end returns to the live view)."""
    base = point.moment if point.moment is not None else past.at
    moment = base + step * DAY
    if moment >= (time_now() if now is None else now):
        return NOW
    return AsOf(moment=moment, text=local(moment))


def describe(point: AsOf, past: Workspace, last_seq: int) -> str:
    """``AS OF 2026-11-10 14:30 · #812/2450`` (event shown / last event)."""
    when = local(point.moment) if point.moment is not None else (local(past.at) if past.at else "the beginning")
    name = f" ({point.text})" if point.text and point.text != when and not point.text.startswith("#") else ""
    return f"AS OF {when}{name} · #{past.position}/{last_seq}"


class Stepper:
    """Time-travel states for stepping: copies of the state every ``BLOCK`` events around where
    the user is, so one step folds at most ``BLOCK`` events instead of up to a whole checkpoint
    interval of the timeline (2048). Kept copies are few (least recently used go first)."""

    BLOCK = 128
    KEEP = 24

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.kept: OrderedDict[int, Workspace] = OrderedDict()
        # The timeline's checkpoints may be rebuilt on a worker thread (``backfill``): never read
        # them while that runs.
        self.lock = threading.Lock()

    def backfill(self) -> None:
        """Rebuild the timeline's older checkpoints (missing after opening from a snapshot)."""
        with self.lock:
            self.timeline.backfill()

    def view(self, point: AsOf) -> Workspace:
        """Like ``Workbench.view`` (same states), faster for nearby points."""
        timeline = self.timeline
        if point.is_now:
            return timeline.now.copy()
        if point.event is not None:
            if point.event > timeline.position:
                raise UserError(f"there is no event #{point.event} yet (the last is #{timeline.position})")
            return self.state_after(timeline.index_of_seq(point.event))
        assert point.moment is not None
        prefix = bisect_right(timeline.running_max, point.moment)
        late = [timeline.seqs[i] for i in timeline.late if i >= prefix and timeline.occurred[i] <= point.moment]
        state = self.state_after(prefix)
        if late:
            state.apply_all(timeline._fetch_seqs(late))
        return state

    def state_after(self, count: int) -> Workspace:
        timeline = self.timeline
        if count >= len(timeline.seqs):
            # A copy: "now" keeps folding live changes, a point in the past must not move.
            return timeline.now.copy()
        base = count - count % self.BLOCK
        kept = self.kept.get(base)
        if kept is None:
            kept = self._build(base)
        else:
            self.kept.move_to_end(base)
        state = kept.copy()
        self._fold(state, base, count)
        return state

    def _build(self, base: int) -> Workspace:
        below = max((k for k in self.kept if k < base and base - k <= self.timeline.every), default=None)
        if below is None:
            with self.lock:
                state = self.timeline.state_after(base)
            if state is self.timeline.now:
                state = state.copy()
        else:
            state = self.kept[below].copy()
            self._fold(state, below, base)
        self.kept[base] = state
        while len(self.kept) > self.KEEP:
            self.kept.popitem(last=False)
        return state

    def _fold(self, state: Workspace, start: int, stop: int) -> None:
        """Fold the events number ``start`` (exclusive) to ``stop`` (inclusive), by index."""
        if stop > start:
            seqs = self.timeline.seqs
            state.apply_all(self.timeline._fetch(seqs[start - 1] if start else 0, seqs[stop - 1]))

    def forget(self) -> None:
        self.kept.clear()
