"""Sprint burndown and burnup, and velocity, from the sprint's true history.

A sprint's scope is the set of items whose ``sprint`` field names it (archived ones excepted) while
it runs, and the items its ``Closed`` event lists once it is closed. Remaining work is the points of
scope items not in a done-category column. Scope changes after the start (items added, removed or
re-estimated) are listed, so a chart can mark them. The series stops at the moment the sprint closed:
what happens to carried-over items afterwards belongs to the next sprint.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec

from projections.metrics.days import Zone, day_end, day_of, day_start, days
from projections.metrics.source import MetricSource, Span
from projections.metrics.walk import Walk, at_event, chains, merged
from projections.state import SprintView

INF = float("inf")


class ScopeChange(msgspec.Struct, frozen=True):
    at: float
    day: date
    key: str
    kind: str  # added | removed | estimated
    points: float  # the change in scope points (+ more work, - less)


class SprintDay(msgspec.Struct, frozen=True):
    day: date
    remaining: float  # points not done
    done: float  # points done
    scope: float  # all points in the sprint
    remaining_items: int
    done_items: int
    ideal: float  # where the remaining points would be on a straight line from start to end


class SprintSeries(msgspec.Struct, frozen=True):
    sprint: SprintView
    committed: float  # points at the start
    days: list[SprintDay]
    changes: list[ScopeChange]

    @property
    def has_points(self) -> bool:
        """False for a sprint of unestimated items: charts then count items instead."""
        return self.committed > 0 or any(d.scope for d in self.days)


def _members(walk: Walk, sprint: SprintView) -> list[Any]:
    current = walk.table("sprints").get(sprint.id, sprint)
    items = walk.table("items")
    if current.state == "closed":
        ids = list(dict.fromkeys([*current.done, *current.carried]))
        return [items[i] for i in ids if i in items]
    return [i for i in items.values() if i.sprint == sprint.id and not i.archived]


def _in_scope(item: Any, sprint_id: str) -> bool:
    return item is not None and item.sprint == sprint_id and not item.archived


def _sample(walk: Walk, sprint: SprintView, day: date, ideal: float) -> SprintDay:
    remaining = done = 0.0
    remaining_items = done_items = 0
    for item in _members(walk, sprint):
        if walk.category(item) == "done":
            done += item.points or 0
            done_items += 1
        else:
            remaining += item.points or 0
            remaining_items += 1
    return SprintDay(day, remaining, done, remaining + done, remaining_items, done_items, ideal)


def _start_and_close(chain: list[Span]) -> tuple[Span | None, Span | None]:
    """The versions the sprint's Started and Closed events made (the first active, the first closed)."""
    start = next((s for s in chain if s.view.state == "active"), None)
    close = next((s for s in chain if s.view.state == "closed"), None) if start is not None else None
    return start, close


def sprint_series(source: MetricSource, sprint_id: str, tz: Zone = None) -> SprintSeries | None:
    """Burndown and burnup of one sprint as of the source's point; None if it had not started by then.

    Reads the sprint's versions, then the versions of items and boards that held from its start
    (or its first day, if earlier) to its close (or its last day so far): the sprint's window."""
    as_of = source.moment
    chain = source.versions("sprints", -INF, as_of, ids=[sprint_id])
    start, close = _start_and_close(chain)
    if start is None:
        return None
    sprint: SprintView = start.view
    committed = sum(v or 0 for v in sprint.committed.values())
    first = date.fromisoformat(sprint.start) if sprint.start else day_of(start.from_t, tz)
    if first > day_of(start.from_t, tz):  # started before its planned start (older logs kept the plan)
        first = day_of(start.from_t, tz)
    planned_last = date.fromisoformat(sprint.end) if sprint.end else first + timedelta(days=13)
    span = max((planned_last - first).days, 1)
    if close is None:
        last = min(planned_last, day_of(as_of, tz))
        window_end = min(day_end(last, tz), as_of)
    else:
        last = day_of(close.from_t, tz)  # closed early or late: the series ends that day
        window_end = close.from_t
    close_day = None if close is None else last
    window_start = min(start.from_t, day_start(first, tz))

    # Only items that were ever in the sprint in its window (or that its close lists) matter. A
    # source that keeps the items' sprint changes (``sprint_items``: the store's) names them, a
    # few of them more (put in the sprint before its window, and out again): their versions are
    # read by id, and never in scope, they change nothing in the walk. Otherwise every item's
    # versions in the window are read and sifted.
    listed = set() if close is None else {*close.view.done, *close.view.carried}
    members = getattr(source, "sprint_items", None)
    named = members(sprint_id, window_end) if members is not None else NotImplemented
    if named is not NotImplemented:
        wanted = named | listed
        items = source.versions("items", window_start, window_end, ids=wanted) if wanted else []
    else:
        items = source.versions("items", window_start, window_end)
        wanted = {s.id for s in items if s.view.sprint == sprint_id} | listed
        items = [s for s in items if s.id in wanted]
    boards = source.versions("boards", window_start, window_end)
    changes: list[ScopeChange] = []
    state = {"started": False, "closed": False}

    def watch(span: Span, before: Any, _walk: Walk) -> None:
        if span.table == "sprints":
            state["started"] = state["started"] or span.from_pos == start.from_pos
            state["closed"] = state["closed"] or (close is not None and span.from_pos == close.from_pos)
            return
        if span.table != "items" or not state["started"] or state["closed"]:
            return
        after = span.view
        was, now = _in_scope(before, sprint_id), _in_scope(after, sprint_id)
        day = day_of(span.from_t, tz)
        if now and not was:
            changes.append(ScopeChange(span.from_t, day, after.key, "added", after.points or 0))
        elif was and not now:
            changes.append(ScopeChange(span.from_t, day, after.key, "removed", -(before.points or 0)))
        elif was and now and (before.points or 0) != (after.points or 0):
            changes.append(ScopeChange(span.from_t, day, after.key, "estimated",
                                       (after.points or 0) - (before.points or 0)))

    walk = Walk(merged(chain, items, boards), watch)
    walk.through(start.from_t, start.from_pos)
    samples: list[SprintDay] = []
    for day in days(first, last):
        ideal = max(0.0, committed * (1 - (day - first).days / span))
        if day == close_day:
            # Stop right after the Closed event: the carried items move on in the same command.
            assert close is not None
            walk.through(close.from_t, close.from_pos)
        else:
            walk.until(day_end(day, tz))
        samples.append(_sample(walk, sprint, day, ideal))
    return SprintSeries(walk.table("sprints").get(sprint_id, sprint), committed, samples, changes)


class SprintVelocity(msgspec.Struct, frozen=True):
    sprint: str
    closed: float
    committed: float  # points at the start
    completed: float  # points of the items done at the close, as estimated then
    completed_items: int
    rolling: float  # the average completed over this and up to ``window - 1`` earlier sprints


def velocity(source: MetricSource, window: int = 3, board_id: str | None = None) -> list[SprintVelocity]:
    """Committed vs completed points per sprint closed by the source's point, oldest first: each
    from the sprint's closed version and the versions of its done items at that event (read once
    for all sprints, from the first close on)."""
    sprints = source.versions("sprints", -INF, source.moment, grp=board_id)
    closes = []
    for chain in chains(sprints).values():
        _, close = _start_and_close(chain)
        if close is None:
            close = next((s for s in chain if s.view.state == "closed"), None)  # closed unstarted
        if close is not None:
            closes.append(close)
    closes.sort(key=lambda s: (s.from_t, s.from_pos))
    # One read of the done items' versions for all sprints (a query per sprint costs more than it saves).
    wanted = {i for close in closes for i in close.view.done}
    rows: list[tuple[str, float, float, float, int]] = []
    # A source that keeps the items' points changes (``points_at``: the store's) reads those few
    # rows instead of every version of every done item since the first close.
    kept = getattr(source, "points_at", None)
    points = kept(wanted) if kept is not None and wanted else NotImplemented
    if points is not NotImplemented:
        for close in closes:
            view = close.view
            done = [found for i in view.done if (found := points.at(i, close.from_t, close.from_pos))[0]]
            rows.append((view.name, close.from_t, sum(v or 0 for v in view.committed.values()),
                         sum(p for _, p in done), len(done)))
        return _rolling(rows, window)
    first_close = closes[0].from_t if closes else 0.0
    found = chains(source.versions("items", first_close, source.moment, ids=wanted)) if wanted else {}
    for close in closes:
        sprint: SprintView = close.view
        done = [v.view for i in sprint.done if i in found and (v := at_event(found[i], close.from_t, close.from_pos))]
        rows.append((sprint.name, close.from_t, sum(v or 0 for v in sprint.committed.values()),
                     sum(i.points or 0 for i in done), len(done)))
    return _rolling(rows, window)


def _rolling(rows: list[tuple[str, float, float, float, int]], window: int) -> list[SprintVelocity]:
    """Each sprint's figures with the average completed over it and up to ``window - 1`` before."""
    out: list[SprintVelocity] = []
    for n, (name, closed, committed, completed, count) in enumerate(rows):
        recent = [r[3] for r in rows[max(0, n - window + 1): n + 1]]
        out.append(SprintVelocity(name, closed, committed, completed, count, sum(recent) / len(recent)))
    return out
