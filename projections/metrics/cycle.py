"""Cycle time, lead time, throughput: when each item started and finished, from its column moves.

- started: the first time the item entered a doing-category column;
- done: the time it entered a done-category column and stayed (an item reopened after done and
  finished again is done at its last finish, and counts one reopening; one reopened and not finished
  again is not done). This is also how jira-agile-metrics treats moves backwards;
- cycle time = done - started (none for an item that skipped doing); lead time = done - created.
Items archived before done were abandoned and are left out; archiving a done item keeps it.
Times are in days.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec

from projections.metrics.days import Zone, day_of, week_of
from projections.metrics.source import MetricSource, Place
from projections.metrics.flow import category_in

DAY = 86400.0


class ItemFlow(msgspec.Struct, frozen=True):
    key: str
    kind: str
    created: float
    started: float | None
    done: float | None
    reopened: int
    abandoned: bool  # archived before it was done

    @property
    def cycle_days(self) -> float | None:
        return None if self.done is None or self.started is None else (self.done - self.started) / DAY

    @property
    def lead_days(self) -> float | None:
        return None if self.done is None else (self.done - self.created) / DAY


@dataclass(slots=True)
class _Progress:
    """One item's flow while the walk runs (ItemFlow is its frozen result)."""

    created: float
    started: float | None = None
    done: float | None = None
    reopened: int = 0
    abandoned: bool = False
    category: str | None = None


def item_flows(source: MetricSource, board_id: str | None = None) -> list[ItemFlow]:
    """Every item's start, finish and reopenings as of the source's point, in order of creation:
    a walk over the places of the items (of the board) and the versions of the boards, in the
    order they occurred. A new version of a board (a column's category changed) moves its items
    with it, from then. A source that sums the items' changes itself (``summed_flows``: the
    store's) answers instead when it can, the same result."""
    summed = getattr(source, "summed_flows", None)
    if summed is not None:
        found = summed(board_id)
        if found is not NotImplemented:
            return found
    places = source.item_places(board_id, source.moment)
    boards = source.versions("boards", float("-inf"), source.moment, grp=None)
    facts = source.rows("items")  # key, kind and creation: the item as of the point
    flows: dict[str, _Progress] = {}
    where: dict[str, tuple[str, str, bool]] = {}  # item -> (board, status, archived) as the walk stands
    board_of: dict[str, Any] = {}  # board id -> its version as the walk stands
    categories: dict[str, dict[str, str]] = {}  # board -> status -> category (until the board changes)

    def follow(moves: Iterable[Place]) -> None:
        """Each item's column category, place by place: started is its first doing, done its
        last entry to done that it has not left since (leaving done reopens it)."""
        for at, _, item_id, status, board, archived in moves:
            where[item_id] = (board, status, archived)
            known = categories.get(board)
            if known is None:
                known = categories[board] = {}
            category = known.get(status)
            if category is None:
                category = known[status] = category_in(board_of.get(board), status)
            flow = flows.get(item_id)
            if flow is None:
                flow = flows[item_id] = _Progress(facts[item_id].created)
            if category != flow.category:
                if category == "doing" and flow.started is None:
                    flow.started = at
                if category == "done":
                    flow.done = at
                elif flow.category == "done":
                    flow.reopened += 1
                    flow.done = None
                flow.category = category
            flow.abandoned = archived and category != "done"

    n = 0
    for version in boards:  # few: each board's versions, in walk order among the places
        # At the same (time, number) a place goes first, as a stable sort puts it.
        upto = bisect.bisect_right(places, (version.from_t, version.from_pos), lo=n, key=_first_two)
        follow(places[n:upto])
        n = upto
        changed = version.id in board_of
        board_of[version.id] = version.view
        categories.pop(version.id, None)
        if changed:  # a column may have changed category: its items change with it, from now
            follow([(version.from_t, version.from_pos, item_id, status, board, archived)
                    for item_id, (board, status, archived) in where.items()
                    if board == version.id and item_id in flows])
    follow(places[n:])
    return [ItemFlow(facts[i].key, facts[i].kind, f.created, f.started, f.done, f.reopened, f.abandoned)
            for i, f in flows.items()]


_first_two = operator.itemgetter(0, 1)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation between closest ranks (numpy's and
    pandas' default), so numbers agree with spreadsheets and jira-agile-metrics."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class ControlPoint(msgspec.Struct, frozen=True):
    key: str
    done: float
    day: date
    days: float


class TimeStats(msgspec.Struct, frozen=True):
    what: str  # cycle | lead
    points: list[ControlPoint]  # the control chart: one point per finished item, by finish time
    count: int
    mean: float | None
    p50: float | None
    p85: float | None
    p95: float | None


def time_stats(flows: list[ItemFlow], what: str = "cycle", tz: Zone = None, since: float | None = None) -> TimeStats:
    """Cycle or lead time of the finished items (finished after ``since``, if given)."""
    points = []
    day = _DayOf(tz)
    cycle = what == "cycle"
    for flow in flows:  # a hundred thousand at a million events: cycle_days and lead_days inlined
        done = flow.done
        if done is None or flow.abandoned or (since is not None and done < since):
            continue
        start = flow.started if cycle else flow.created
        if start is None:
            continue
        points.append(ControlPoint(flow.key, done, day(done), (done - start) / DAY))
    points.sort(key=_done)
    values = [p.days for p in points]
    ordered = sorted(values)  # once: each percentile then sorts a sorted list (a single pass)
    return TimeStats(what, points, len(values), sum(values) / len(values) if values else None,
                     percentile(ordered, 50), percentile(ordered, 85), percentile(ordered, 95))


_done = operator.attrgetter("done")


class _DayOf:
    """``day_of`` for many moments: the local day of each aligned quarter hour, asked once. Zone
    offsets and their changes fall on quarter hours (since 1970), so a day begins on one; a
    quarter hour whose two ends fall on different days (an older odd offset) is asked per moment."""

    def __init__(self, tz: Zone) -> None:
        self.tz = tz
        self.known: dict[int, date | None] = {}

    def __call__(self, moment: float) -> date:
        quarter = int(moment // 900)
        found = self.known.get(quarter, _UNSET)
        if found is _UNSET:
            first, last = day_of(quarter * 900.0, self.tz), day_of(quarter * 900.0 + 899.999, self.tz)
            found = self.known[quarter] = first if first == last else None
        return found if found is not None else day_of(moment, self.tz)  # type: ignore[return-value]


_UNSET: Any = object()


class WeekCount(msgspec.Struct, frozen=True):
    week: date  # the week's first day (a Monday unless weeks start on another day)
    items: int


def throughput(flows: list[ItemFlow], as_of: float, tz: Zone = None, first: date | None = None,
               week_start: int = 0) -> list[WeekCount]:
    """Items finished per local week (Monday to Sunday, or from ``week_start``: 6 is Sunday), every
    week from the first finish or ``first`` to the ``as_of`` week, empty weeks included."""
    day = _DayOf(tz)
    finished = [day(f.done) for f in flows if f.done is not None and not f.abandoned and f.done <= as_of]
    if not finished and first is None:
        return []
    start = week_of(first or min(finished), week_start)
    last = week_of(day_of(as_of, tz), week_start)
    per_day: dict[date, int] = {}
    for finish in finished:
        per_day[finish] = per_day.get(finish, 0) + 1
    counts: dict[date, int] = {}
    for finish, n in per_day.items():  # a few hundred days, not every finish
        week = week_of(finish, week_start)
        counts[week] = counts.get(week, 0) + n
    weeks = []
    week = start
    while week <= last:
        weeks.append(WeekCount(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks
